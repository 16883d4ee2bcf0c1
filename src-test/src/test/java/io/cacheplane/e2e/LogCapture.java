package io.cacheplane.e2e;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Predicate;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.jboss.logmanager.ExtLogRecord;
import org.jboss.logmanager.LogContext;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Keeps the log records of the in-process operator and agents (and of the libraries under them: JOSDK, fabric8,
 * Vert.x) in memory while a test class runs, and prints them when a test or a {@code @BeforeAll}/{@code @AfterAll}
 * fails. Every logging facade in this JVM (slf4j through slf4j-jboss-logmanager, jboss-logging, JUL) ends in the JBoss
 * LogManager, so one handler on its root logger sees them all. Register it on the test class:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final LogCapture LOGS = new LogCapture(2000);
 * }</pre>
 *
 * Only what the logging configuration lets through reaches the handler; of that, {@link #captured} keeps INFO and
 * above, and DEBUG of {@code io.cacheplane}.
 */
public final class LogCapture implements BeforeAllCallback, AfterAllCallback, TestWatcher,
    LifecycleMethodExecutionExceptionHandler {

  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneOffset.UTC);
  /** System property: {@code true} prints the captured lines after the class even when everything passed. */
  public static final String PRINT_ALWAYS = "cacheplane.e2e.printLogs";
  /** How many of the last lines are printed on a failure. */
  private static final int PRINTED = 400;

  private final int capacity;
  private final Deque<String> lines = new ArrayDeque<>();
  private final Handler handler = new Handler() {
    // Called on the logging threads (informers, Vert.x event loops, reconcilers): keep it cheap, never throw.
    @Override
    public void publish(LogRecord record) {
      if (record != null && captured(record)) {
        add(format(record));
      }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
  };
  /** Lines added since the start (numbers the lines), and how many of them a failure printed already. */
  private long added;
  private long printedUpTo;

  /** @param capacity the most lines kept (the oldest are dropped) */
  public LogCapture(int capacity) {
    this.capacity = capacity;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    LogContext.getLogContext().getLogger("").addHandler(handler);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    LogContext.getLogContext().getLogger("").removeHandler(handler);
    if (Boolean.getBoolean(PRINT_ALWAYS)) {
      print(context.getDisplayName() + " finished (-D" + PRINT_ALWAYS + "=true)");
    }
  }

  private synchronized void add(String line) {
    added++;
    lines.addLast(line);
    while (lines.size() > capacity) {
      lines.removeFirst();
    }
  }

  /** The lines captured so far (oldest first). */
  public synchronized List<String> lines() {
    return new ArrayList<>(lines);
  }

  /** The captured lines that match {@code filter}. */
  public List<String> lines(Predicate<String> filter) {
    return lines().stream().filter(filter).toList();
  }

  /**
   * INFO and above from everything; DEBUG and above from Cacheplane's own loggers. Not TRACE: fabric8 logs every HTTP
   * request and body at TRACE (of the test's admin client too), which would drown the operator's and agents' lines.
   */
  private static boolean captured(LogRecord r) {
    int level = r.getLevel().intValue();
    String logger = r.getLoggerName() == null ? "" : r.getLoggerName();
    return level >= Level.INFO.intValue() || (level >= Level.FINE.intValue() && logger.startsWith("io.cacheplane"));
  }

  private static String format(LogRecord r) {
    String message = r instanceof ExtLogRecord ext ? ext.getFormattedMessage() : r.getMessage();
    String thread = r instanceof ExtLogRecord ext ? ext.getThreadName() : Long.toString(r.getLongThreadID());
    StringBuilder s = new StringBuilder()
        .append(TIME.format(Instant.ofEpochMilli(r.getMillis()))).append(' ')
        .append(String.format("%-7s", r.getLevel().getName())).append(" [")
        .append(r.getLoggerName()).append("] (").append(thread).append(") ").append(message);
    Throwable t = r.getThrown();
    for (int depth = 0; t != null && depth < 5; t = t.getCause(), depth++) {
      s.append("\n    ").append(depth == 0 ? "" : "caused by: ").append(t);
    }
    return s.toString();
  }

  @Override
  public void testFailed(ExtensionContext context, Throwable cause) {
    print(context.getDisplayName() + " failed");
  }

  @Override
  public void handleBeforeAllMethodExecutionException(ExtensionContext context, Throwable throwable)
      throws Throwable {
    print("@BeforeAll of " + context.getDisplayName() + " failed (" + throwable + ")");
    throw throwable;
  }

  @Override
  public void handleAfterAllMethodExecutionException(ExtensionContext context, Throwable throwable)
      throws Throwable {
    print("@AfterAll of " + context.getDisplayName() + " failed (" + throwable + ")");
    throw throwable;
  }

  /** Prints the lines not printed by an earlier failure (at most the last {@value #PRINTED}) to stderr. */
  private synchronized void print(String why) {
    List<String> all = new ArrayList<>(lines);
    int fresh = (int) Math.min(all.size(), added - printedUpTo);
    List<String> last = all.subList(all.size() - Math.min(fresh, PRINTED), all.size());
    printedUpTo = added;
    System.err.println("[e2e] " + why + "; " + (fresh == all.size() ? "" : "new ") + "captured operator/agent log"
        + " lines (" + last.size() + " of " + fresh + " shown):\n" + String.join("\n", last)
        + "\n[e2e] ----- end of captured logs");
  }
}
