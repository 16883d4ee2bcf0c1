package io.cacheplane.bench;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The Kubernetes API a measurement runs against: a fresh embedded mock server ({@link MockApi}), or a real API
 * server from a kubeconfig, in a fresh namespace (deleted on {@link #close()}) with the Cacheplane CRDs applied.
 */
interface ApiTarget extends AutoCloseable {

  /** A client for setup and for the writes that are timed (closed with the target). */
  KubernetesClient admin();

  /** A new client, as a separate process would have (the caller closes it). */
  KubernetesClient newClient();

  /** The namespace to use. */
  String namespace();

  /** Called after each measured change (the mock server drops the requests it recorded). */
  default void afterChange() {}

  @Override
  void close();

  /** A fresh mock server with namespace {@code ns}. */
  static ApiTarget mock(String ns) {
    MockApi api = new MockApi(ns);
    return new ApiTarget() {
      @Override public KubernetesClient admin() {
        return api.admin();
      }
      @Override public KubernetesClient newClient() {
        return api.newClient();
      }
      @Override public String namespace() {
        return ns;
      }
      @Override public void afterChange() {
        api.drainRecorded();
      }
      @Override public void close() {
        api.close();
      }
    };
  }

  /**
   * The API server of {@code kubeconfig}: applies the CRDs (waiting until they are established) and creates a
   * namespace {@code <prefix>-<random>}.
   *
   * @throws IOException when the kubeconfig cannot be read
   */
  static ApiTarget real(Path kubeconfig, String prefix) throws IOException {
    Config config = Config.fromKubeconfig(Files.readString(kubeconfig));
    KubernetesClient admin = new KubernetesClientBuilder().withConfig(config).build();
    for (String plural : List.of("cachepolicies", "routepolicies")) {
      String resource = "/META-INF/fabric8/" + plural + ".cacheplane.io-v1.yml";
      try (InputStream in = ApiTarget.class.getResourceAsStream(resource)) {
        if (in == null) {
          throw new IllegalStateException("CRD " + resource + " is not on the class path");
        }
        CustomResourceDefinition crd = admin.apiextensions().v1().customResourceDefinitions().load(in).item();
        crd.getMetadata().setResourceVersion(null);
        admin.apiextensions().v1().customResourceDefinitions().resource(crd).createOr(NonDeletingOperation::update);
        admin.apiextensions().v1().customResourceDefinitions().withName(crd.getMetadata().getName())
            .waitUntilCondition(c -> c != null && c.getStatus() != null && c.getStatus().getConditions() != null
                && c.getStatus().getConditions().stream()
                    .anyMatch(x -> "Established".equals(x.getType()) && "True".equals(x.getStatus())),
                60, TimeUnit.SECONDS);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    String ns = prefix + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0xfffff));
    admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
    return new ApiTarget() {
      @Override public KubernetesClient admin() {
        return admin;
      }
      @Override public KubernetesClient newClient() {
        return new KubernetesClientBuilder().withConfig(config).build();
      }
      @Override public String namespace() {
        return ns;
      }
      @Override public void close() {
        try {
          admin.namespaces().withName(ns).delete();
        } catch (RuntimeException e) {
          System.err.println("[bench] could not delete namespace " + ns + ": " + e.getMessage());
        }
        admin.close();
      }
    };
  }
}
