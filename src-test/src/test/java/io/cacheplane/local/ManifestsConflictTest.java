package io.cacheplane.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.cacheplane.api.v1alpha1.CachePolicy;
import io.cacheplane.api.v1alpha1.PolicyStatus;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.InputStream;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@link Manifests#apply} against a status write that lands between its read and its patch (the operator's, in local
 * mode): the patch carries the version it read, the API answers 409 Conflict, and apply reads again and retries
 * instead of losing the edit.
 */
class ManifestsConflictTest {

  @Test
  void anEditThatConflictsWithAStatusWriteIsRetriedNotLost() throws Exception {
    KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        new KubernetesCrudDispatcher(List.of()), false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    KubernetesClient admin = server.createClient();
    AtomicInteger statusWritesLeft = new AtomicInteger(2);
    Interceptor statusWriter = new Interceptor() {
      @Override
      public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
        if ("PATCH".equals(request.method()) && statusWritesLeft.getAndDecrement() > 0) {
          admin.resources(CachePolicy.class).inNamespace("d").withName("p").editStatus(p -> {
            PolicyStatus status = new PolicyStatus();
            status.setObservedGeneration((long) statusWritesLeft.get());
            p.setStatus(status);
            return p;
          });
        }
      }
    };
    try (InputStream in = CachePolicy.class.getResourceAsStream("/META-INF/fabric8/cachepolicies.cacheplane.io-v1.yml");
         KubernetesClient user = new KubernetesClientBuilder().withConfig(admin.getConfiguration())
             .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor("status-writer", statusWriter)).build()) {
      admin.apiextensions().v1().customResourceDefinitions()
          .resource(Serialization.unmarshal(in, CustomResourceDefinition.class)).create();
      assertThat(Manifests.apply(admin, "d", policy(100))).isEqualTo("created");

      assertThat(Manifests.apply(user, "d", policy(200))).isEqualTo("configured");

      assertThat(statusWritesLeft.get()).as("two status writes raced the first two patches").isNegative();
      CachePolicy stored = admin.resources(CachePolicy.class).inNamespace("d").withName("p").get();
      assertThat(stored.getSpec().getCache().getMaximumSize()).isEqualTo(200L);
      assertThat(stored.getStatus().getObservedGeneration()).isZero();
    } finally {
      admin.close();
      server.destroy();
    }
  }

  private static CachePolicy policy(long maximumSize) {
    return Serialization.unmarshal("apiVersion: cacheplane.io/v1alpha1\nkind: CachePolicy\nmetadata: {name: p}\n"
        + "spec: {cache: {maximumSize: " + maximumSize + "}}\n", CachePolicy.class);
  }
}
