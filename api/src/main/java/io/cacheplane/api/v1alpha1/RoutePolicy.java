package io.cacheplane.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** A RoutePolicy (group {@code cacheplane.io}, version {@code v1alpha1}); see {@link RoutePolicySpec}. */
@Group(CacheplaneApi.GROUP)
@Version(CacheplaneApi.VERSION)
@Plural("routepolicies")
@ShortNames("routepol")
@Categories(CacheplaneApi.CATEGORY)
@AdditionalPrinterColumn(name = "Phase", type = AdditionalPrinterColumn.Type.STRING, jsonPath = ".status.phase")
@AdditionalPrinterColumn(name = "Ready", type = AdditionalPrinterColumn.Type.STRING,
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].status")
@AdditionalPrinterColumn(name = "Stable", type = AdditionalPrinterColumn.Type.STRING, jsonPath = ".status.stableRevision")
@AdditionalPrinterColumn(name = "Canary", type = AdditionalPrinterColumn.Type.STRING, jsonPath = ".status.canaryRevision",
    priority = 1)
@AdditionalPrinterColumn(name = "Step", type = AdditionalPrinterColumn.Type.INTEGER, jsonPath = ".status.currentStepIndex")
@AdditionalPrinterColumn(name = "Weight", type = AdditionalPrinterColumn.Type.INTEGER, jsonPath = ".status.canaryWeight")
@AdditionalPrinterColumn(name = "Agents", type = AdditionalPrinterColumn.Type.INTEGER, jsonPath = ".status.agents.matched",
    priority = 1)
@AdditionalPrinterColumn(name = "Age", type = AdditionalPrinterColumn.Type.DATE, jsonPath = ".metadata.creationTimestamp")
public class RoutePolicy extends CustomResource<RoutePolicySpec, PolicyStatus> implements Namespaced {
}
