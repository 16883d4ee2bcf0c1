package io.cacheplane.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cacheplane.agent.Agent;
import io.cacheplane.agent.PolicyState;
import io.cacheplane.api.contract.AgentLeases;
import io.cacheplane.api.contract.AgentReport;
import io.cacheplane.api.contract.Json;
import io.cacheplane.api.v1alpha1.CachePolicy;
import io.cacheplane.api.v1alpha1.CacheplaneApi;
import io.cacheplane.api.v1alpha1.PolicyStatus;
import io.cacheplane.api.v1alpha1.RoutePolicy;
import io.cacheplane.local.Manifests;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.Counter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/**
 * Policies and probes shared by the fault scenarios. The policies select the agents by
 * {@code app.kubernetes.io/name=cacheplane-agent} and roll out in one step, so a change reaches every agent at once.
 * <ul>
 *   <li>CachePolicy {@value #PAGES}: entries keyed by the {@code page} query parameter, fresh for 5 minutes;
 *   <li>RoutePolicy {@value #SHOP}: {@code /api/products} to service {@code products} through {@value #PAGES}
 *       ({@code X-Cache} HIT or MISS), {@code /api/cart} to {@code cart} uncached (BYPASS).
 * </ul>
 */
final class Fixtures {

  static final String PAGES = "pages";
  static final String SHOP = "shop";
  static final String CACHE = CacheplaneApi.KIND_CACHE_POLICY;
  static final String ROUTE = CacheplaneApi.KIND_ROUTE_POLICY;
  static final Duration POLL = Duration.ofMillis(100);
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private Fixtures() {}

  /** CachePolicy {@value #PAGES} with room for {@code maximumSize} entries. */
  static CachePolicy pages(int maximumSize) {
    return yaml("""
        apiVersion: cacheplane.io/v1alpha1
        kind: CachePolicy
        metadata:
          name: %s
        spec:
          agentSelector:
            matchLabels:
              app.kubernetes.io/name: cacheplane-agent
          cache:
            maximumSize: %d
            expireAfterWrite: 5m
          key:
            queryParameters: [page]
          rollout:
            steps:
            - setWeight: 100
        """.formatted(PAGES, maximumSize), CachePolicy.class);
  }

  /** RoutePolicy {@value #SHOP}. */
  static RoutePolicy shop() {
    return yaml("""
        apiVersion: cacheplane.io/v1alpha1
        kind: RoutePolicy
        metadata:
          name: %s
        spec:
          agentSelector:
            matchLabels:
              app.kubernetes.io/name: cacheplane-agent
          routes:
          - name: products
            match:
              pathPrefix: /api/products
            backends:
            - service: products
              port: 8080
            timeout: 2s
            cachePolicyRef: %s
          - name: cart
            match:
              pathPrefix: /api/cart
            backends:
            - service: cart
              port: 8080
            timeout: 2s
          rollout:
            steps:
            - setWeight: 100
        """.formatted(SHOP, PAGES), RoutePolicy.class);
  }

  /**
   * A RoutePolicy with one uncached route per {@code prefixAndService} pair ({@code "/api/legacy", "legacy"}), each
   * with {@code timeout}.
   */
  static RoutePolicy routes(String name, Duration timeout, String cachePolicyRef, String... prefixAndService) {
    StringBuilder routes = new StringBuilder();
    for (int i = 0; i < prefixAndService.length; i += 2) {
      routes.append("""
            - name: r%d
              match:
                pathPrefix: %s
              backends:
              - service: %s
                port: 8080
              timeout: %dms
          """.formatted(i / 2, prefixAndService[i], prefixAndService[i + 1], timeout.toMillis()));
      if (cachePolicyRef != null) {
        routes.append("    cachePolicyRef: ").append(cachePolicyRef).append('\n');
      }
    }
    return yaml("""
        apiVersion: cacheplane.io/v1alpha1
        kind: RoutePolicy
        metadata:
          name: %s
        spec:
          agentSelector:
            matchLabels:
              app.kubernetes.io/name: cacheplane-agent
          routes:
        %s  rollout:
            steps:
            - setWeight: 100
        """.formatted(name, routes), RoutePolicy.class);
  }

  private static <T> T yaml(String text, Class<T> type) {
    try {
      return Json.YAML.readValue(text, type);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Creates or updates a policy as a user would ({@link Manifests#apply}). */
  static void apply(KubernetesClient client, String namespace, HasMetadata policy) {
    Manifests.apply(client, namespace, policy);
  }

  /** The stable revision in the policy's status once its current generation is observed and Ready. */
  static String awaitStable(KubernetesClient client, String namespace, String kind, String name, Duration atMost) {
    String[] revision = new String[1];
    await(kind + " " + name + " Ready").atMost(atMost).pollInterval(POLL).ignoreExceptions().untilAsserted(() -> {
      HasMetadata p = policy(client, namespace, kind, name);
      PolicyStatus s = p instanceof CachePolicy c ? c.getStatus() : ((RoutePolicy) p).getStatus();
      assertThat(s).isNotNull();
      assertThat(s.getObservedGeneration()).isEqualTo(p.getMetadata().getGeneration());
      assertThat(s.getConditions()).anySatisfy(c -> {
        assertThat(c.getType()).isEqualTo("Ready");
        assertThat(c.getStatus()).isEqualTo("True");
      });
      assertThat(s.getStableRevision()).matches("[0-9a-f]{16}");
      revision[0] = s.getStableRevision();
    });
    return revision[0];
  }

  /**
   * The stable revision in the policy's status once its current generation is observed, Ready or not; {@code null}
   * before that.
   */
  static String publishedRevision(KubernetesClient client, String namespace, String kind, String name) {
    HasMetadata p = policy(client, namespace, kind, name);
    PolicyStatus s = p == null ? null : p instanceof CachePolicy c ? c.getStatus() : ((RoutePolicy) p).getStatus();
    if (s == null || s.getObservedGeneration() == null
        || !s.getObservedGeneration().equals(p.getMetadata().getGeneration())) {
      return null;
    }
    return s.getStableRevision();
  }

  static HasMetadata policy(KubernetesClient client, String namespace, String kind, String name) {
    Class<? extends HasMetadata> type = CACHE.equals(kind) ? CachePolicy.class : RoutePolicy.class;
    return client.resources(type).inNamespace(namespace).withName(name).get();
  }

  /** The revision {@code agent} serves for a policy, {@code null} when none. */
  static String serving(Agent agent, String kind, String name) {
    return agent.policies().stream().filter(p -> kind.equals(p.kind()) && name.equals(p.name()))
        .map(PolicyState::appliedRevision).findFirst().orElse(null);
  }

  /** The state {@code agent} reports for a policy, {@code null} when it has none. */
  static PolicyState state(Agent agent, String kind, String name) {
    return agent.policies().stream().filter(p -> kind.equals(p.kind()) && name.equals(p.name())).findFirst()
        .orElse(null);
  }

  /** Waits until every agent serves {@code revision} of a policy and returns how long that took, in ms. */
  static long awaitServing(List<Agent> agents, String kind, String name, String revision, Duration atMost) {
    long started = System.nanoTime();
    await(kind + " " + name + " " + revision + " on every agent").atMost(atMost).pollInterval(Duration.ofMillis(20))
        .until(() -> agents.stream().allMatch(a -> revision.equals(serving(a, kind, name))));
    return Duration.ofNanos(System.nanoTime() - started).toMillis();
  }

  /** Envelopes of a policy this agent applied so far ({@code cacheplane.config.applies}). */
  static double applies(Agent agent, String kind, String name) {
    Counter c = agent.settings().meterRegistry().find("cacheplane.config.applies").tag("kind", kind)
        .tag("policy", name).counter();
    return c == null ? 0 : c.count();
  }

  /** The report in the agent's Lease as the operator reads it, {@code null} when there is none yet. */
  static AgentReport leaseReport(KubernetesClient client, String namespace, Agent agent) {
    Lease lease = client.leases().inNamespace(namespace)
        .withName(AgentLeases.leaseName(agent.settings().agentId())).get();
    String json = lease == null || lease.getMetadata().getAnnotations() == null ? null
        : lease.getMetadata().getAnnotations().get(AgentLeases.REPORT_ANNOTATION);
    if (json == null) {
      return null;
    }
    try {
      return Json.JSON.readValue(json, AgentReport.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** GET {@code pathAndQuery} on an agent's traffic port (10 s deadline). */
  static HttpResponse<String> get(Agent agent, String pathAndQuery) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.trafficPort() + pathAndQuery))
          .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Whether the agent's ConfigMap informer has its watch open (false while it is cut off from the API). */
  static boolean watching(Agent agent) {
    return agent.watching();
  }

  /** {@code X-Cache} of an answer, or {@code none}. */
  static String xCache(HttpResponse<String> r) {
    return r.headers().firstValue("X-Cache").orElse("none");
  }
}
