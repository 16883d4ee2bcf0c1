package io.cacheplane.operator.reconcile;

import io.cacheplane.api.validation.PolicyValidator;
import io.cacheplane.api.validation.Violation;
import io.cacheplane.api.v1alpha1.CachePolicy;
import io.cacheplane.api.v1alpha1.CacheplaneApi;
import io.cacheplane.api.v1alpha1.RoutePolicy;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Reconciles a RoutePolicy like {@link CachePolicyReconciler}, and also requires every
 * {@code routes[].cachePolicyRef} to name an existing CachePolicy in the same namespace ({@code CachePolicyNotFound}
 * otherwise). A CachePolicy that appears or disappears reconciles the RoutePolicies referring to it at once,
 * through an index on the primary cache ({@value #REFERENCE_INDEX}: {@code namespace/cachePolicyName}).
 */
@ControllerConfiguration(name = RoutePolicyReconciler.NAME)
public final class RoutePolicyReconciler implements Reconciler<RoutePolicy> {

  /** The controller's name in JOSDK (logs, health). */
  public static final String NAME = "routepolicy";
  /** Name of the primary-cache index from referenced CachePolicy ({@code namespace/name}) to RoutePolicies. */
  public static final String REFERENCE_INDEX = "cachePolicyRefs";
  /** Name of the CachePolicy event source. */
  public static final String CACHE_POLICY_SOURCE = "cachepolicies";

  private final PolicyPipeline pipeline;

  /** @param pipeline the shared reconcile steps */
  public RoutePolicyReconciler(PolicyPipeline pipeline) {
    this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
  }

  @Override
  public List<EventSource<?, RoutePolicy>> prepareEventSources(EventSourceContext<RoutePolicy> context) {
    context.getPrimaryCache().addIndexer(REFERENCE_INDEX, route -> CachePolicyReferences
        .referenced(route.getSpec()).stream()
        .map(name -> route.getMetadata().getNamespace() + "/" + name)
        .toList());
    var cachePolicies = InformerEventSourceConfiguration.from(CachePolicy.class, RoutePolicy.class)
        .withName(CACHE_POLICY_SOURCE)
        .withSecondaryToPrimaryMapper((CachePolicy cp) -> context.getPrimaryCache()
            .byIndex(REFERENCE_INDEX, cp.getMetadata().getNamespace() + "/" + cp.getMetadata().getName())
            .stream()
            .map(ResourceID::fromResource)
            .collect(Collectors.toSet()))
        // Only existence matters: creation and deletion reconcile, updates (e.g. status patches) do not.
        .withOnUpdateFilter((newCp, oldCp) -> false)
        .withNamespacesInheritedFromController()
        .build();
    return List.of(PolicyConfigMaps.eventSource(context, CacheplaneApi.KIND_ROUTE_POLICY),
        PolicyConfigMaps.conflictWatch(context), new InformerEventSource<>(cachePolicies, context),
        AgentLeaseSource.eventSource(context, pipeline.agents().liveness()));
  }

  @Override
  public UpdateControl<RoutePolicy> reconcile(RoutePolicy policy, Context<RoutePolicy> context) {
    List<Violation> violations = PolicyValidator.validate(policy.getSpec());
    List<String> missing = List.of();
    if (violations.isEmpty()) {
      String namespace = policy.getMetadata().getNamespace();
      @SuppressWarnings("unchecked")
      var cache = (InformerEventSource<CachePolicy, RoutePolicy>) context.eventSourceRetriever()
          .getEventSourceFor(CachePolicy.class, CACHE_POLICY_SOURCE);
      missing = CachePolicyReferences.missing(policy.getSpec(), namespace,
          name -> cache.get(new ResourceID(name, namespace)).isPresent());
    }
    return pipeline.run(policy, context, policy.getSpec(), violations, missing);
  }
}
