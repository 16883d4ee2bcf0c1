package io.cacheplane.operator.render;

import io.cacheplane.api.contract.Envelope;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.OwnerReference;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A ConfigMap rendered for a policy.
 *
 * @param configMap the object to write (no resourceVersion); callers must not modify it
 * @param envelopeYaml the content of the {@link Envelope#DATA_KEY} key
 * @param sizeBytes UTF-8 length of {@code envelopeYaml} in bytes
 * @param sequence the envelope's sequence
 * @param stableRevision the envelope's stable revision
 */
public record RenderedConfigMap(ConfigMap configMap, String envelopeYaml, int sizeBytes, long sequence,
    String stableRevision) {

  /** Whether the envelope is at most {@code maxBytes} bytes long. */
  public boolean fits(int maxBytes) {
    return sizeBytes <= maxBytes;
  }

  /**
   * Whether {@code existing} already carries exactly this content: the same data (and no binary data), exactly our
   * labels, and exactly our controller owner reference. Annotations and other metadata are not compared.
   */
  public boolean matches(ConfigMap existing) {
    if (existing == null || existing.getMetadata() == null) {
      return false;
    }
    boolean noBinary = existing.getBinaryData() == null || existing.getBinaryData().isEmpty();
    Map<String, String> labels = existing.getMetadata().getLabels() == null ? Map.of() : existing.getMetadata().getLabels();
    return noBinary && Objects.equals(configMap.getData(), existing.getData())
        && configMap.getMetadata().getLabels().equals(labels)
        && sameOwner(configMap.getMetadata().getOwnerReferences(), existing.getMetadata().getOwnerReferences());
  }

  private static boolean sameOwner(List<OwnerReference> want, List<OwnerReference> have) {
    if (have == null || have.size() != want.size()) {
      return false;
    }
    for (int i = 0; i < want.size(); i++) {
      OwnerReference w = want.get(i);
      OwnerReference h = have.get(i);
      if (!Objects.equals(w.getApiVersion(), h.getApiVersion()) || !Objects.equals(w.getKind(), h.getKind())
          || !Objects.equals(w.getName(), h.getName()) || !Objects.equals(w.getUid(), h.getUid())
          || !Boolean.TRUE.equals(h.getController())) {
        return false;
      }
    }
    return true;
  }
}
