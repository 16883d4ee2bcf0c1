package io.cacheplane.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs an external command (kubectl, helm, the scripts under {@code scripts/k8s}) with a timeout, capturing stdout,
 * stderr and the exit code. Output goes to temporary files, so a chatty process can never block on a full pipe.
 */
public final class Cli {

  private Cli() {
  }

  /**
   * The outcome of one command.
   *
   * @param command the command line
   * @param exitCode the exit code; {@code -1} when the command was killed after its timeout
   * @param stdout everything written to standard output
   * @param stderr everything written to standard error
   * @param elapsed wall-clock time
   */
  public record Result(List<String> command, int exitCode, String stdout, String stderr, Duration elapsed) {

    public boolean ok() {
      return exitCode == 0;
    }

    public boolean timedOut() {
      return exitCode == -1;
    }

    /** stdout and stderr together (e.g. for messages that move between them across versions). */
    public String output() {
      return stdout + "\n" + stderr;
    }

    /** The last non-blank line of stdout ("" when there is none). */
    public String lastLine() {
      String[] lines = stdout.strip().split("\n");
      return lines.length == 0 ? "" : lines[lines.length - 1].strip();
    }

    /** Returns this result, or throws with the whole output when the exit code is not 0. */
    public Result orThrow() {
      if (!ok()) {
        throw new IllegalStateException("command failed: " + this);
      }
      return this;
    }

    /** For assertion messages: the command, exit code, time and both outputs (bounded). */
    @Override
    public String toString() {
      return String.join(" ", command) + "\n  exit " + (timedOut() ? "TIMEOUT" : exitCode) + " after "
          + elapsed.toMillis() + " ms\n  stdout: " + bounded(stdout) + "\n  stderr: " + bounded(stderr);
    }

    private static String bounded(String s) {
      String t = s.strip();
      return t.length() <= 4000 ? t : "…" + t.substring(t.length() - 4000);
    }
  }

  /**
   * Runs {@code command} in {@code workDir} with extra environment variables.
   *
   * @param stdin text written to the process' standard input, or {@code null} for none
   * @param timeout the process (and its children, when they share its process tree) is killed after this
   */
  public static Result run(List<String> command, Path workDir, Map<String, String> env, String stdin,
      Duration timeout) {
    Path out = null;
    Path err = null;
    Path in = null;
    try {
      out = Files.createTempFile("cacheplane-e2e-out", ".txt");
      err = Files.createTempFile("cacheplane-e2e-err", ".txt");
      ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command))
          .directory(workDir.toFile())
          .redirectOutput(out.toFile())
          .redirectError(err.toFile());
      if (stdin != null) {
        in = Files.createTempFile("cacheplane-e2e-in", ".txt");
        Files.writeString(in, stdin, StandardCharsets.UTF_8);
        pb.redirectInput(in.toFile());
      } else {
        pb.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
      }
      pb.environment().putAll(env);
      long started = System.nanoTime();
      Process process = pb.start();
      int exit;
      if (process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        exit = process.exitValue();
      } else {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
        exit = -1;
      }
      Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
      return new Result(List.copyOf(command), exit, Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8), elapsed);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + command, e);
    } finally {
      for (Path p : new Path[] {out, err, in}) {
        if (p != null) {
          try {
            Files.deleteIfExists(p);
          } catch (IOException ignored) {
            // a temp file left behind is harmless
          }
        }
      }
    }
  }
}
