package io.cacheplane.operator.reconcile;

import io.cacheplane.api.contract.AgentLeases;
import io.cacheplane.api.v1alpha1.PolicyStatus;
import io.cacheplane.operator.agents.LeaseLiveness;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.CustomResource;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The agent Leases ({@code cacheplane.io/agent=true}) of the watched namespaces as a JOSDK event source of a policy
 * controller. A Lease maps to every policy of its namespace (through the {@value #NAMESPACE_INDEX} index on the
 * primary cache). A renew-only update (annotations and labels unchanged) triggers no reconcile, but still tells
 * {@link LeaseLiveness} that the agent is alive.
 */
public final class AgentLeaseSource {

  /** Name of the Lease event source of each policy controller. */
  public static final String SOURCE = "agent-leases";
  /** Name of the primary-cache index by namespace. */
  public static final String NAMESPACE_INDEX = "byNamespace";

  private AgentLeaseSource() {}

  /** Registers the namespace index and builds the event source. */
  public static <P extends CustomResource<?, PolicyStatus>> InformerEventSource<Lease, P> eventSource(
      EventSourceContext<P> context, LeaseLiveness liveness) {
    context.getPrimaryCache().addIndexer(NAMESPACE_INDEX, p -> List.of(p.getMetadata().getNamespace()));
    var config = InformerEventSourceConfiguration.from(Lease.class, context.getPrimaryResourceClass())
        .withName(SOURCE)
        .withLabelSelector(AgentLeases.AGENT_LABEL + "=true")
        .withSecondaryToPrimaryMapper((Lease lease) -> context.getPrimaryCache()
            .byIndex(NAMESPACE_INDEX, lease.getMetadata().getNamespace()).stream()
            .map(ResourceID::fromResource)
            .collect(Collectors.toSet()))
        .withOnAddFilter(lease -> {
          liveness.observe(lease);
          return true;
        })
        .withOnUpdateFilter((newLease, oldLease) -> {
          liveness.observe(newLease);
          return !Objects.equals(newLease.getMetadata().getAnnotations(), oldLease.getMetadata().getAnnotations())
              || !Objects.equals(newLease.getMetadata().getLabels(), oldLease.getMetadata().getLabels())
              || !Objects.equals(newLease.getMetadata().getOwnerReferences(),
                  oldLease.getMetadata().getOwnerReferences());
        })
        .withOnDeleteFilter((lease, unknown) -> {
          liveness.forget(lease);
          return true;
        })
        .withNamespacesInheritedFromController()
        .build();
    return new InformerEventSource<>(config, context);
  }

  /** Whether the controller's Lease cache runs (it does not while the operator stops). */
  @SuppressWarnings("unchecked")
  public static <P extends CustomResource<?, PolicyStatus>> boolean running(Context<P> context) {
    var source = (InformerEventSource<Lease, P>) context.eventSourceRetriever().getEventSourceFor(Lease.class, SOURCE);
    return source.isRunning();
  }

  /** The agent Leases of {@code namespace} in the controller's cache. */
  @SuppressWarnings("unchecked")
  public static <P extends CustomResource<?, PolicyStatus>> List<Lease> leases(Context<P> context, String namespace) {
    var source = (InformerEventSource<Lease, P>) context.eventSourceRetriever().getEventSourceFor(Lease.class, SOURCE);
    return source.list(namespace, l -> true).toList();
  }
}
