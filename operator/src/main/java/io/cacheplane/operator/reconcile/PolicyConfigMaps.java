package io.cacheplane.operator.reconcile;

import io.cacheplane.api.contract.ConfigMapNames;
import io.cacheplane.api.v1alpha1.CacheplaneApi;
import io.cacheplane.api.v1alpha1.PolicyStatus;
import io.cacheplane.operator.render.PolicyRef;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.CustomResource;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;

/**
 * Reading and writing a policy's ConfigMap through its controller's informer (so the next reconcile sees the write,
 * and the operator's own write does not trigger another reconcile).
 */
public final class PolicyConfigMaps {

  /** Name of the ConfigMap event source of each policy controller. */
  public static final String SOURCE = "configmaps";

  private PolicyConfigMaps() {}

  /**
   * The ConfigMap event source of a policy controller: managed ConfigMaps of {@code kind}, mapped to their owner,
   * so a hand edit or deletion of a ConfigMap reconciles (and repairs) its policy at once.
   */
  public static <P extends CustomResource<?, PolicyStatus>> InformerEventSource<ConfigMap, P> eventSource(
      EventSourceContext<P> context, String kind) {
    var config = InformerEventSourceConfiguration.from(ConfigMap.class, context.getPrimaryResourceClass())
        .withName(SOURCE)
        .withLabelSelector(CacheplaneApi.LABEL_MANAGED_BY + "=" + CacheplaneApi.MANAGED_BY + ","
            + CacheplaneApi.LABEL_KIND + "=" + kind)
        .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(context.getPrimaryResourceClass()))
        .withNamespacesInheritedFromController()
        .build();
    return new InformerEventSource<>(config, context);
  }

  /** The {@link ConfigMapConflictWatch} of a policy controller (registered next to {@link #eventSource}). */
  public static <P extends CustomResource<?, PolicyStatus>> ConfigMapConflictWatch<P> conflictWatch(
      EventSourceContext<P> context) {
    return new ConfigMapConflictWatch<>(context.getClient());
  }

  /**
   * The ConfigMap that has the policy's ConfigMap name, whoever it belongs to: from the informer cache, or from the
   * API when the cache has none (e.g. its labels were edited so the informer no longer sees it, or it is someone
   * else's). {@code null} when it does not exist.
   */
  static <P extends CustomResource<?, PolicyStatus>> ConfigMap current(Context<P> context, PolicyRef policy) {
    String name = ConfigMapNames.configMapName(policy.kind(), policy.name());
    return cache(context).get(new ResourceID(name, policy.namespace())).orElseGet(() ->
        context.getClient().configMaps().inNamespace(policy.namespace()).withName(name).get());
  }

  /** Whether a policy of the controller's kind with {@code uid} is in its cache, in {@code namespace}. */
  static <P extends CustomResource<?, PolicyStatus>> boolean policyExists(Context<P> context, String namespace,
      String uid) {
    return context.getPrimaryCache().list(namespace, p -> uid.equals(p.getMetadata().getUid())).findAny().isPresent();
  }

  @SuppressWarnings("unchecked")
  static <P extends CustomResource<?, PolicyStatus>> ConfigMapConflictWatch<P> conflicts(Context<P> context) {
    return (ConfigMapConflictWatch<P>) context.eventSourceRetriever()
        .getEventSourceFor(Void.class, ConfigMapConflictWatch.NAME);
  }

  /**
   * Creates {@code desired}, or replaces {@code existing} with it under optimistic locking (its resourceVersion),
   * keeping annotations others put there.
   *
   * @throws io.fabric8.kubernetes.client.KubernetesClientException 409 when the ConfigMap changed meanwhile, or
   *     another API error
   */
  static <P extends CustomResource<?, PolicyStatus>> void write(Context<P> context, ConfigMap desired,
      ConfigMap existing) {
    if (existing == null) {
      context.resourceOperations().create(new ConfigMapBuilder(desired).build(), cache(context));
      return;
    }
    ConfigMap update = new ConfigMapBuilder(desired)
        .editMetadata()
          .withResourceVersion(existing.getMetadata().getResourceVersion())
          .withAnnotations(existing.getMetadata().getAnnotations())
        .endMetadata()
        .build();
    context.resourceOperations().update(update, cache(context));
  }

  @SuppressWarnings("unchecked")
  private static <P extends CustomResource<?, PolicyStatus>> InformerEventSource<ConfigMap, P> cache(Context<P> context) {
    return (InformerEventSource<ConfigMap, P>) context.eventSourceRetriever().getEventSourceFor(ConfigMap.class, SOURCE);
  }
}
