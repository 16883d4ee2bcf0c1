package io.cacheplane.operator.agents;

import io.cacheplane.api.contract.AgentLeases;
import io.cacheplane.api.contract.AgentReport;
import io.cacheplane.api.contract.Envelope;
import io.cacheplane.api.contract.LabelSelectors;
import io.cacheplane.operator.rollout.AgentView;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Turns the agent Leases of a namespace into what the rollout state machine sees for one policy (pure apart from the
 * {@link LeaseLiveness} memory): matched (selector over the Lease's labels, the pod's labels), the Pod exists, live by
 * the operator's clock; the report entry for the policy; the agents that do not read the envelope schema version.
 */
public final class AgentDirectory {

  /** Pod existence, e.g. a {@link PodCache}. */
  @FunctionalInterface
  public interface Pods {
    boolean exists(String namespace, String name, String uid);

    /** Whether the answers can be trusted now (the cache runs and has synced). */
    default boolean ready() {
      return true;
    }
  }

  /**
   * The agents of one policy.
   *
   * @param live live matched agents with a Pod, sorted by agent id
   * @param stale matched agents with a Pod whose Lease expired
   * @param outdated ids of live matched agents that do not list {@link Envelope#SCHEMA_VERSION}
   * @param nextExpiry when the first live agent turns stale unless its Lease changes (operator's clock), or
   *     {@code null} without live agents: the policy is looked at again then, so counts and Ready stay honest
   */
  public record Agents(List<AgentView> live, int stale, List<String> outdated, Instant nextExpiry) {}

  private final LeaseLiveness liveness;
  private final Pods pods;

  public AgentDirectory(LeaseLiveness liveness, Pods pods) {
    this.liveness = Objects.requireNonNull(liveness, "liveness");
    this.pods = Objects.requireNonNull(pods, "pods");
  }

  /**
   * Whether the view of the agents can be trusted now. A stopping operator (or a cache not synced yet) sees no Pods;
   * deciding on that would look like "no agent matches" and promote a canary without one.
   */
  public boolean ready() {
    return pods.ready();
  }

  /** The liveness memory (informer filters feed it). */
  public LeaseLiveness liveness() {
    return liveness;
  }

  /**
   * @param leases the agent Leases of the policy's namespace (from the informer cache)
   * @param kind the policy's kind
   * @param name the policy's name
   * @param uid the policy's uid
   * @param selector the policy's agent selector ({@code null} = every agent)
   * @param now the operator's clock
   */
  public Agents forPolicy(Collection<Lease> leases, String kind, String name, String uid, LabelSelector selector,
      Instant now) {
    List<AgentView> live = new ArrayList<>();
    List<String> outdated = new ArrayList<>();
    int stale = 0;
    Instant nextExpiry = null;
    for (Lease lease : leases) {
      Map<String, String> labels = lease.getMetadata().getLabels();
      boolean matches;
      try {
        matches = LabelSelectors.matches(selector, labels);
      } catch (IllegalArgumentException e) {
        matches = false;
      }
      if (!matches) {
        continue;
      }
      Map<String, String> annotations = lease.getMetadata().getAnnotations() == null ? Map.of()
          : lease.getMetadata().getAnnotations();
      AgentReport report = AgentLeases.decode(annotations.get(AgentLeases.REPORT_ANNOTATION));
      String podName = podName(lease, report);
      String podUid = podUid(lease);
      if (podName == null || !pods.exists(lease.getMetadata().getNamespace(), podName, podUid)) {
        continue;
      }
      Instant expiry = liveness.expiry(lease);
      if (now.isAfter(expiry)) {
        stale++;
        continue;
      }
      if (nextExpiry == null || expiry.isBefore(nextExpiry)) {
        nextExpiry = expiry;
      }
      String agent = report != null ? report.agent() : podName;
      AgentReport.PolicyReport entry = report == null ? null : report.policies().stream()
          .filter(p -> p != null && (uid.equals(p.uid()) || (p.uid() == null && kind.equals(p.kind())
              && name.equals(p.name()))))
          .findFirst().orElse(null);
      live.add(AgentView.of(uid, agent, entry));
      if (!supportsSchema(annotations.get(AgentLeases.SCHEMA_VERSIONS_ANNOTATION))) {
        outdated.add(agent);
      }
    }
    live.sort(Comparator.comparing(AgentView::agent));
    outdated.sort(Comparator.naturalOrder());
    return new Agents(live, stale, outdated, nextExpiry);
  }

  static boolean supportsSchema(String versions) {
    if (versions == null) {
      return false;
    }
    String wanted = Integer.toString(Envelope.SCHEMA_VERSION);
    return Arrays.stream(versions.split(",")).map(String::trim).anyMatch(wanted::equals);
  }

  static String podName(Lease lease, AgentReport report) {
    OwnerReference owner = podOwner(lease);
    if (owner != null && owner.getName() != null) {
      return owner.getName();
    }
    if (report != null && report.agent() != null) {
      return report.agent();
    }
    String name = lease.getMetadata().getName();
    return name.startsWith(AgentLeases.NAME_PREFIX) ? name.substring(AgentLeases.NAME_PREFIX.length()) : null;
  }

  static String podUid(Lease lease) {
    OwnerReference owner = podOwner(lease);
    return owner == null ? null : owner.getUid();
  }

  private static OwnerReference podOwner(Lease lease) {
    List<OwnerReference> owners = lease.getMetadata().getOwnerReferences();
    if (owners == null) {
      return null;
    }
    return owners.stream().filter(o -> o != null && "Pod".equals(o.getKind())).findFirst().orElse(null);
  }
}
