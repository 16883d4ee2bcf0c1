package io.cacheplane.agent.report;

import io.cacheplane.agent.AgentSettings;
import io.cacheplane.api.contract.AgentLeases;
import io.cacheplane.api.contract.AgentReport;
import io.cacheplane.api.contract.EnvelopeCodec;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Keeps the agent's {@code coordination.k8s.io/v1} Lease (DESIGN.md, "Agent identity and reports"): liveness, the
 * schema versions the agent reads, and its {@link AgentReport}.
 *
 * <p>The Lease, in the agent's namespace:
 * <ul>
 *   <li>name {@link AgentLeases#leaseName}{@code (agentId)};
 *   <li>labels: the pod's labels plus {@link AgentLeases#AGENT_LABEL}{@code : "true"};
 *   <li>an ownerReference to the Pod ({@code v1}, {@code Pod}, name = agentId, uid = pod UID) only when the pod UID
 *       is known ({@link AgentSettings#podUid()});
 *   <li>{@code spec.holderIdentity} = agentId, {@code spec.leaseDurationSeconds} =
 *       {@link AgentSettings#leaseDurationSeconds()}, {@code spec.acquireTime} = when this reporter started,
 *       {@code spec.renewTime} = the time of the write (microseconds, UTC);
 *   <li>annotations {@link AgentLeases#SCHEMA_VERSIONS_ANNOTATION} (the supported envelope schema versions, sorted,
 *       comma-joined, e.g. {@code 1}) and {@link AgentLeases#REPORT_ANNOTATION} ({@link AgentLeases#encode}).
 * </ul>
 * The agent owns the whole object: every write replaces labels, annotations, ownerReferences and spec.
 *
 * <p>When it is written, all on one daemon thread of its own (never on the request path, never blocking start-up):
 * <ul>
 *   <li>every {@link AgentSettings#heartbeat()} (the first at once): renews {@code renewTime}; the report is rebuilt
 *       (counters move), and its text is byte-identical when nothing changed, so a renewal without news changes
 *       nothing but {@code renewTime} (and {@code resourceVersion});
 *   <li>{@link #CHANGE_DELAY} after {@link #changed()}: bursts of changes coalesce into one write; a write is
 *       skipped when the report text is the one already on the Lease.
 * </ul>
 *
 * <p>How (RBAC grants the agent only create, get and update on Leases): update with the resourceVersion of the last
 * Lease it wrote or read; the first time, get, and create when absent. A 409 (on create: it exists; on update:
 * someone else wrote) or a 404 (deleted meanwhile) re-reads and retries once; anything else waits for the next
 * heartbeat. While the API server cannot be reached it keeps trying on every heartbeat and logs once per outage (a
 * WARN at its start, an INFO when a write succeeds again). The fabric8 client's own request retries apply within an
 * attempt, so an attempt may take longer than a heartbeat during an outage. The Lease is never deleted (RBAC forbids
 * it): when the agent stops, it expires.
 *
 * <p>A report that {@link AgentLeases#encode} refuses (more than {@link AgentLeases#MAX_REPORT_BYTES} bytes) is
 * logged at ERROR (when it starts and then at most every {@link #TOO_LARGE_LOG_INTERVAL}); the previous report text
 * stays on the Lease (none on a Lease created meanwhile), and renewals go on.
 */
public final class LeaseReporter implements AutoCloseable {

  /** Delay between a {@link #changed()} and the write it triggers (coalescing bursts): 100 ms. */
  public static final Duration CHANGE_DELAY = Duration.ofMillis(100);
  /** Least time between two ERROR logs about a report that is too large: 5 minutes. */
  public static final Duration TOO_LARGE_LOG_INTERVAL = Duration.ofMinutes(5);
  /** How long {@link #close()} waits for a write in flight: 5 seconds. */
  public static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

  private static final Logger LOG = Logger.getLogger(LeaseReporter.class);

  private final KubernetesClient client;
  private final String namespace;
  private final String agentId;
  private final String leaseName;
  private final int leaseDurationSeconds;
  private final Duration heartbeat;
  private final Map<String, String> labels;
  private final List<OwnerReference> owners;
  private final String schemaVersions;
  private final Supplier<AgentReport> reports;
  private final Clock clock;
  private final ZonedDateTime acquired;
  private final ScheduledExecutorService timer;
  private final AtomicBoolean changePending = new AtomicBoolean();
  private volatile boolean closed;

  // Only touched on the timer thread.
  private Lease known;
  private String lastGoodText;
  private String writtenText;
  private boolean failing;
  private Instant tooLargeLoggedAt;

  private LeaseReporter(KubernetesClient client, AgentSettings settings, Supplier<AgentReport> reports, Clock clock) {
    this.client = Objects.requireNonNull(client, "client");
    this.reports = Objects.requireNonNull(reports, "reports");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.namespace = settings.namespace();
    this.agentId = settings.agentId();
    this.leaseName = AgentLeases.leaseName(agentId);
    this.leaseDurationSeconds = settings.leaseDurationSeconds();
    this.heartbeat = settings.heartbeat();
    Map<String, String> l = new LinkedHashMap<>(settings.podLabels());
    l.put(AgentLeases.AGENT_LABEL, "true");
    this.labels = Map.copyOf(l);
    this.owners = settings.podUid() == null ? List.of() : List.of(new OwnerReferenceBuilder()
        .withApiVersion("v1")
        .withKind("Pod")
        .withName(agentId)
        .withUid(settings.podUid())
        .build());
    this.schemaVersions = schemaVersions();
    this.acquired = now();
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "cacheplane-lease-" + agentId);
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Starts reporting; returns at once (the first write runs on the reporter's thread).
   *
   * @param client the Kubernetes client (not closed by the reporter)
   * @param settings agent id, namespace, pod labels and UID, lease duration and heartbeat
   * @param reports builds the current report (called on the reporter's thread, on every heartbeat and change); must
   *     be cheap and must not block
   * @param clock source of {@code renewTime} and {@code acquireTime}
   */
  public static LeaseReporter start(KubernetesClient client, AgentSettings settings, Supplier<AgentReport> reports,
      Clock clock) {
    LeaseReporter r = new LeaseReporter(client, settings, reports, clock);
    r.timer.scheduleWithFixedDelay(() -> r.tick(true), 0, Math.max(1, r.heartbeat.toMillis()), TimeUnit.MILLISECONDS);
    return r;
  }

  /** {@link #start(KubernetesClient, AgentSettings, Supplier, Clock)} with the system clock. */
  public static LeaseReporter start(KubernetesClient client, AgentSettings settings, Supplier<AgentReport> reports) {
    return start(client, settings, reports, Clock.systemUTC());
  }

  /** The Lease's name, {@code cacheplane-agent-<agentId>}. */
  public String leaseName() {
    return leaseName;
  }

  /** The supported schema versions as written in {@link AgentLeases#SCHEMA_VERSIONS_ANNOTATION}, e.g. {@code 1}. */
  public static String schemaVersions() {
    return EnvelopeCodec.SUPPORTED_SCHEMA_VERSIONS.stream().sorted().map(String::valueOf)
        .collect(Collectors.joining(","));
  }

  /**
   * The report changed: writes it within {@link #CHANGE_DELAY}, together with whatever else changes meanwhile. Never
   * blocks; a no-op once closed.
   */
  public void changed() {
    if (closed || !changePending.compareAndSet(false, true)) {
      return;
    }
    try {
      timer.schedule(() -> {
        changePending.set(false);
        tick(false);
      }, CHANGE_DELAY.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      changePending.set(false); // closed meanwhile
    }
  }

  /** Stops the timer (waiting up to {@link #CLOSE_TIMEOUT} for a write in flight). The Lease stays and expires. */
  @Override
  public void close() {
    closed = true;
    timer.shutdownNow();
    try {
      if (!timer.awaitTermination(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warnf("the Lease writer of agent %s did not stop within %d ms", agentId, CLOSE_TIMEOUT.toMillis());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** One write attempt; never throws (an exception would cancel the periodic task). */
  private void tick(boolean renew) {
    if (closed) {
      return;
    }
    String text;
    try {
      text = reportText();
    } catch (RuntimeException e) {
      LOG.errorf(e, "building the report of agent %s failed; the Lease keeps the previous one", agentId);
      text = lastGoodText;
    }
    if (!renew && known != null && Objects.equals(text, writtenText)) {
      return; // nothing new; the heartbeat renews
    }
    try {
      write(text);
      writtenText = text;
      if (failing) {
        failing = false;
        LOG.infof("Lease %s/%s written again", namespace, leaseName);
      }
    } catch (RuntimeException e) {
      if (closed) {
        return;
      }
      if (!failing) {
        failing = true;
        LOG.warnf("cannot write Lease %s/%s (%s); retrying every %d ms until it succeeds", namespace, leaseName,
            message(e), heartbeat.toMillis());
      } else {
        LOG.debugf("cannot write Lease %s/%s: %s", namespace, leaseName, message(e));
      }
    }
  }

  /** The encoded report, or the last one that could be encoded when this one is too large. */
  private String reportText() {
    AgentReport report = reports.get();
    try {
      String text = AgentLeases.encode(report);
      if (tooLargeLoggedAt != null) {
        tooLargeLoggedAt = null;
        LOG.infof("the report of agent %s fits its Lease again (%d policies)", agentId, report.policies().size());
      }
      lastGoodText = text;
      return text;
    } catch (IllegalStateException | IllegalArgumentException e) {
      Instant now = clock.instant();
      if (tooLargeLoggedAt == null || !now.isBefore(tooLargeLoggedAt.plus(TOO_LARGE_LOG_INTERVAL))) {
        tooLargeLoggedAt = now;
        LOG.errorf("CANNOT REPORT: %s; Lease %s/%s keeps the previous report, the operator will not see the current "
            + "state of this agent", e.getMessage(), namespace, leaseName);
      }
      return lastGoodText;
    }
  }

  private void write(String reportText) {
    var leases = client.leases().inNamespace(namespace);
    for (int attempt = 0; ; attempt++) {
      try {
        if (known == null) {
          Lease found = leases.withName(leaseName).get();
          if (found == null) {
            known = leases.resource(desired(reportText, null)).create();
            return;
          }
          known = found;
        }
        known = leases.resource(desired(reportText, known.getMetadata().getResourceVersion())).update();
        return;
      } catch (KubernetesClientException e) {
        boolean stale = e.getCode() == 409 || e.getCode() == 404;
        if (stale) {
          known = null; // re-read before the next update
        }
        if (!stale || attempt > 0) {
          throw e;
        }
      }
    }
  }

  private Lease desired(String reportText, String resourceVersion) {
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put(AgentLeases.SCHEMA_VERSIONS_ANNOTATION, schemaVersions);
    if (reportText != null) {
      annotations.put(AgentLeases.REPORT_ANNOTATION, reportText);
    }
    return new LeaseBuilder()
        .withNewMetadata()
        .withName(leaseName)
        .withNamespace(namespace)
        .withResourceVersion(resourceVersion)
        .withLabels(labels)
        .withAnnotations(annotations)
        .withOwnerReferences(owners)
        .endMetadata()
        .withNewSpec()
        .withHolderIdentity(agentId)
        .withLeaseDurationSeconds(leaseDurationSeconds)
        .withAcquireTime(acquired)
        .withRenewTime(now())
        .endSpec()
        .build();
  }

  private ZonedDateTime now() {
    return ZonedDateTime.ofInstant(clock.instant(), ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
  }

  /** The exception's message with its root cause's (fabric8 wraps the interesting part, e.g. "Connection refused"). */
  private static String message(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    if (root != e) {
      m += ": " + (root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage());
    }
    return m.replaceAll("\\s+", " ");
  }
}
