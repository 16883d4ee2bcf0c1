package io.cacheplane.operator.render;

import io.cacheplane.api.contract.ConfigMapNames;
import io.cacheplane.api.contract.Envelope;
import io.cacheplane.api.contract.EnvelopeCodec;
import io.cacheplane.api.contract.PublishedRevision;
import io.cacheplane.api.v1alpha1.CacheplaneApi;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * Renders a policy's ConfigMap (pure and deterministic: the same input gives the same bytes). The ConfigMap is
 * named by {@link ConfigMapNames#configMapName}, carries only {@link ConfigMapNames#labels}, is owned by the policy
 * (controller, {@code blockOwnerDeletion=false}) and holds one key, {@link Envelope#DATA_KEY}.
 */
public final class EnvelopeRenderer {

  /**
   * Largest envelope the operator writes, in bytes of UTF-8: 900 KiB, a safe fraction of the 1 MiB ConfigMap limit
   * (leaving room for metadata).
   */
  public static final int MAX_ENVELOPE_BYTES = 900 * 1024;

  private EnvelopeRenderer() {}

  /**
   * @param policy the owning policy
   * @param agentSelector the policy's {@code spec.agentSelector} ({@code null} selects every agent)
   * @param stable the stable revision ({@code EnvelopeCodec.publish(spec, generation, null)}), or {@code null} while a
   *     new policy has none (then {@code canary} is required)
   * @param canary the canary revision with its threshold, or {@code null}
   * @param sequence the envelope's publish counter (≥ 1)
   * @return the ConfigMap and its envelope; the size limit is checked by the caller ({@link RenderedConfigMap#fits})
   * @throws IllegalArgumentException when the envelope cannot be serialized
   */
  public static RenderedConfigMap render(PolicyRef policy, LabelSelector agentSelector, PublishedRevision stable,
      PublishedRevision canary, long sequence) {
    Envelope envelope = new Envelope(Envelope.SCHEMA_VERSION, policy.kind(), policy.name(), policy.uid(), sequence,
        agentSelector, stable, canary);
    String yaml = EnvelopeCodec.encode(envelope);
    Map<String, String> data = new TreeMap<>();
    data.put(Envelope.DATA_KEY, yaml);
    ConfigMap configMap = new ConfigMapBuilder()
        .withNewMetadata()
          .withName(ConfigMapNames.configMapName(policy.kind(), policy.name()))
          .withNamespace(policy.namespace())
          .withLabels(new TreeMap<>(ConfigMapNames.labels(policy.kind(), policy.name(), policy.uid())))
          .withOwnerReferences(new OwnerReferenceBuilder()
              .withApiVersion(CacheplaneApi.API_VERSION)
              .withKind(policy.kind())
              .withName(policy.name())
              .withUid(policy.uid())
              .withController(true)
              .withBlockOwnerDeletion(false)
              .build())
        .endMetadata()
        .withData(data)
        .build();
    return new RenderedConfigMap(configMap, yaml, yaml.getBytes(StandardCharsets.UTF_8).length, sequence,
        stable == null ? null : stable.revision());
  }
}
