package io.cacheplane.operator.reconcile;

import io.cacheplane.api.validation.PolicyValidator;
import io.cacheplane.api.v1alpha1.CachePolicy;
import io.cacheplane.api.v1alpha1.CacheplaneApi;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import java.util.List;
import java.util.Objects;

/**
 * Reconciles a CachePolicy: validate ({@link PolicyValidator}) → render → write its ConfigMap if the content
 * changed → patch status if it changed. Watches its own ConfigMaps, so a hand edit is repaired at once, and a
 * ConfigMap of the same name that is not ours while it blocks the policy ({@code ConfigMapConflict}), and the agent
 * Leases of its namespace ({@link AgentLeaseSource}: ACK/NACK, counters, liveness).
 */
@ControllerConfiguration(name = CachePolicyReconciler.NAME)
public final class CachePolicyReconciler implements Reconciler<CachePolicy> {

  /** The controller's name in JOSDK (logs, health). */
  public static final String NAME = "cachepolicy";

  private final PolicyPipeline pipeline;

  /** @param pipeline the shared reconcile steps */
  public CachePolicyReconciler(PolicyPipeline pipeline) {
    this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
  }

  @Override
  public List<EventSource<?, CachePolicy>> prepareEventSources(EventSourceContext<CachePolicy> context) {
    return List.of(PolicyConfigMaps.eventSource(context, CacheplaneApi.KIND_CACHE_POLICY),
        PolicyConfigMaps.conflictWatch(context), AgentLeaseSource.eventSource(context, pipeline.agents().liveness()));
  }

  @Override
  public UpdateControl<CachePolicy> reconcile(CachePolicy policy, Context<CachePolicy> context) {
    return pipeline.run(policy, context, policy.getSpec(), PolicyValidator.validate(policy.getSpec()), List.of());
  }
}
