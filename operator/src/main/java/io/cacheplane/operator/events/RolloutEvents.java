package io.cacheplane.operator.events;

import io.cacheplane.api.v1alpha1.CacheplaneApi;
import io.cacheplane.operator.render.PolicyRef;
import io.cacheplane.operator.rollout.Transition;
import io.cacheplane.operator.status.Conditions;
import io.cacheplane.operator.status.Messages;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes Events (core {@code v1}) for rollout transitions, on the policy (reason = the transition's CamelCase
 * reason, type Normal or Warning). Best effort: a refused write is logged, never fails a reconcile. Bounded rate: at
 * most {@value #BURST} Events per policy per {@value #WINDOW_SECONDS} s (by the JVM's monotonic time); more are
 * dropped and logged at debug level.
 */
public final class RolloutEvents {

  /** Events per policy within {@link #WINDOW_SECONDS}. */
  public static final int BURST = 10;
  /** The rate window, seconds. */
  public static final int WINDOW_SECONDS = 60;
  /** {@code source.component} / {@code reportingComponent} of the Events. */
  public static final String COMPONENT = "cacheplane-operator";

  private static final Logger LOG = LoggerFactory.getLogger(RolloutEvents.class);

  private final KubernetesClient client;
  private final Clock clock;
  private final LongSupplier nanos;
  private final Map<String, Deque<Long>> recent = new ConcurrentHashMap<>();
  private final AtomicLong counter = new AtomicLong();

  /**
   * @param client where Events are created ({@code null}: Events are only logged, e.g. in unit tests)
   * @param clock timestamps of the Events (the operator's clock)
   */
  public RolloutEvents(KubernetesClient client, Clock clock) {
    this(client, clock, System::nanoTime);
  }

  RolloutEvents(KubernetesClient client, Clock clock, LongSupplier nanos) {
    this.client = client;
    this.clock = Objects.requireNonNull(clock, "clock");
    this.nanos = nanos;
  }

  /** Emits one Event for {@code event} on {@code policy}, unless the policy's rate is spent. */
  public void emit(PolicyRef policy, Transition.Event event) {
    if (!admit(policy.uid())) {
      LOG.debug("event {} for {}/{} dropped (rate)", event.transition().reason(), policy.namespace(), policy.name());
      return;
    }
    LOG.info("{} {}/{}: {}: {}", policy.kind(), policy.namespace(), policy.name(), event.transition().reason(),
        event.message());
    if (client == null) {
      return;
    }
    String time = Conditions.rfc3339(clock.instant());
    Event e = new EventBuilder()
        .withNewMetadata()
          .withNamespace(policy.namespace())
          .withName(eventName(policy.name()))
        .endMetadata()
        .withNewInvolvedObject()
          .withApiVersion(CacheplaneApi.API_VERSION).withKind(policy.kind()).withName(policy.name())
          .withNamespace(policy.namespace()).withUid(policy.uid())
        .endInvolvedObject()
        .withReason(event.transition().reason())
        .withMessage(Messages.bounded(event.message()))
        .withType(event.transition().warning() ? "Warning" : "Normal")
        .withFirstTimestamp(time).withLastTimestamp(time).withCount(1)
        .withNewSource().withComponent(COMPONENT).endSource()
        .withReportingComponent(COMPONENT)
        .build();
    try {
      client.v1().events().inNamespace(policy.namespace()).resource(e).create();
    } catch (RuntimeException ex) {
      LOG.warn("cannot record event {} on {} {}/{}: {}", event.transition().reason(), policy.kind(),
          policy.namespace(), policy.name(), ex.toString());
    }
  }

  /** {@code <policy>.<hex>} as Kubernetes names Events, the policy part cut so the name stays within 253. */
  private String eventName(String policyName) {
    String suffix = "." + Long.toHexString(System.currentTimeMillis()) + Long.toHexString(counter.incrementAndGet());
    String base = policyName.length() > 200 ? policyName.substring(0, 200) : policyName;
    return base + suffix;
  }

  private boolean admit(String key) {
    long now = nanos.getAsLong();
    long window = WINDOW_SECONDS * 1_000_000_000L;
    Deque<Long> times = recent.computeIfAbsent(key, k -> new ArrayDeque<>());
    synchronized (times) {
      while (!times.isEmpty() && now - times.peekFirst() > window) {
        times.pollFirst();
      }
      if (times.size() >= BURST) {
        return false;
      }
      times.addLast(now);
      return true;
    }
  }
}
