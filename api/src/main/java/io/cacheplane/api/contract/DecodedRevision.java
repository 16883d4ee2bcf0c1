package io.cacheplane.api.contract;

import io.cacheplane.api.v1alpha1.PolicySpec;

/**
 * A revision of an envelope, checked and typed.
 *
 * @param revision the verified revision hash
 * @param generation the policy generation it came from
 * @param spec a {@link io.cacheplane.api.v1alpha1.CachePolicySpec} or {@link io.cacheplane.api.v1alpha1.RoutePolicySpec}
 *     (executable part only: no rollout, paused or agentSelector)
 */
public record DecodedRevision(String revision, long generation, PolicySpec spec) {}
