package io.cacheplane.bench;

import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.util.Statistics;

/**
 * Runs {@link RetuneBenchmark} and prints a Markdown table: per group and operation the number of sampled calls,
 * p50 / p99 / p99.9 / max latency and the sampled reads slower than 1 ms; a group whose reads failed (an entry went
 * missing) is reported as failed.
 *
 * <p>Arguments: {@code quick} (1 warm-up and 3 measured iterations of 2 s, one fork) or {@code full} (3 warm-up and
 * 5 measured iterations of 5 s, two forks); {@code --entries N} (default 1,000,000).
 */
public final class RetuneMain {

  private RetuneMain() {}

  public static void main(String[] args) throws Exception {
    boolean quick = args.length > 0 && args[0].equals("quick");
    String entries = BenchSupport.arg(args, "entries", "1000000");
    ChainedOptionsBuilder options = new OptionsBuilder()
        .include(RetuneBenchmark.class.getName())
        .param("entries", entries)
        .jvmArgsAppend("-Xmx3g", "-Djava.util.logging.manager=org.jboss.logmanager.LogManager")
        .shouldFailOnError(false);
    if (quick) {
      options.forks(1).warmupIterations(1).warmupTime(TimeValue.seconds(2))
          .measurementIterations(3).measurementTime(TimeValue.seconds(2));
    } else {
      options.forks(2).warmupIterations(3).warmupTime(TimeValue.seconds(5))
          .measurementIterations(5).measurementTime(TimeValue.seconds(5));
    }
    Collection<RunResult> results = new Runner(options.build()).run();
    Map<String, RunResult> byGroup = new LinkedHashMap<>();
    for (RunResult r : results) {
      String label = r.getParams().getBenchmark();
      byGroup.put(label.substring(label.lastIndexOf('.') + 1), r);
    }
    StringBuilder out = new StringBuilder();
    out.append("| group | operation | sampled calls | p50 | p99 | p99.9 | max | sampled reads > 1 ms |\n");
    out.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (String group : new String[] {"baseline", "setMaximum", "setExpiresAfter", "envelope"}) {
      RunResult r = byGroup.get(group);
      if (r == null) {
        out.append("| ").append(group).append(" | **failed** (a read found no entry, or the run errored) | | | | | | |\n");
        continue;
      }
      for (Map.Entry<String, Result> e : r.getSecondaryResults().entrySet()) {
        if (e.getKey().contains(":") || e.getKey().matches("p[0-9.]+")) {
          continue; // JMH's per-percentile entries; the distribution is read from the statistics below
        }
        Statistics s = e.getValue().getStatistics();
        boolean read = e.getKey().endsWith("Read");
        out.append("| ").append(group).append(" | ").append(e.getKey())
            .append(" | ").append(s.getN())
            .append(" | ").append(us(s.getPercentile(50)))
            .append(" | ").append(us(s.getPercentile(99)))
            .append(" | ").append(us(s.getPercentile(99.9)))
            .append(" | ").append(us(s.getMax()))
            .append(" | ").append(read ? slower(s, 1000.0) : "")
            .append(" |\n");
      }
    }
    System.out.println("RESULTS");
    System.out.print(out);
  }

  private static String us(double micros) {
    return micros >= 1000 ? String.format("%.2f ms", micros / 1000) : String.format("%.2f µs", micros);
  }

  /** Sampled calls slower than {@code limitMicros}, as "count (percent)". */
  private static String slower(Statistics s, double limitMicros) {
    long over = 0;
    long total = 0;
    for (Iterator<Map.Entry<Double, Long>> it = s.getRawData(); it.hasNext(); ) {
      Map.Entry<Double, Long> e = it.next();
      total += e.getValue();
      if (e.getKey() > limitMicros) {
        over += e.getValue();
      }
    }
    return over + String.format(" (%.4f %%)", total == 0 ? 0.0 : 100.0 * over / total);
  }
}
