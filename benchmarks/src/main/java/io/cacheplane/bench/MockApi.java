package io.cacheplane.bench;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The embedded Kubernetes API of the benchmarks: the fabric8 mock server in CRUD mode with the Cacheplane CRDs
 * registered and one namespace, whose dispatcher counts every write (create, update, patch, delete) per
 * {@code METHOD resource} (e.g. {@code PUT configmaps}, {@code PATCH cachepolicies/status}).
 */
public final class MockApi implements AutoCloseable {

  private final KubernetesMockServer server;
  private final KubernetesClient admin;
  private final Map<String, LongAdder> writes = new ConcurrentHashMap<>();

  /**
   * Starts the server on an ephemeral loopback port, registers the CRDs of the api module (from the class path) and
   * creates {@code namespace}.
   */
  public MockApi(String namespace) {
    KubernetesCrudDispatcher dispatcher = new KubernetesCrudDispatcher(List.of()) {
      @Override public MockResponse handleCreate(RecordedRequest r) {
        count("POST", r.getPath());
        return super.handleCreate(r);
      }
      @Override public MockResponse handleUpdate(RecordedRequest r) {
        count("PUT", r.getPath());
        return super.handleUpdate(r);
      }
      @Override public MockResponse handlePatch(RecordedRequest r) {
        count("PATCH", r.getPath());
        return super.handlePatch(r);
      }
      @Override public MockResponse handleDelete(String path) {
        count("DELETE", path);
        return super.handleDelete(path);
      }
    };
    server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    admin = server.createClient();
    for (String plural : List.of("cachepolicies", "routepolicies")) {
      String resource = "/META-INF/fabric8/" + plural + ".cacheplane.io-v1.yml";
      try (InputStream in = MockApi.class.getResourceAsStream(resource)) {
        if (in == null) {
          throw new IllegalStateException("CRD " + resource + " is not on the class path");
        }
        CustomResourceDefinition crd = admin.apiextensions().v1().customResourceDefinitions().load(in).item();
        admin.apiextensions().v1().customResourceDefinitions().resource(crd).create();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
        .createOr(NonDeletingOperation::update);
  }

  private void count(String method, String path) {
    writes.computeIfAbsent(method + " " + resource(path), k -> new LongAdder()).increment();
  }

  /** {@code configmaps}, {@code cachepolicies/status}...: the resource segment of an API path (query dropped). */
  static String resource(String path) {
    String p = path == null ? "" : path;
    int q = p.indexOf('?');
    if (q >= 0) {
      p = p.substring(0, q);
    }
    String[] parts = p.split("/");
    for (int i = 0; i < parts.length - 1; i++) {
      if (parts[i].equals("namespaces") && i + 2 < parts.length) {
        String res = parts[i + 2];
        return i + 4 < parts.length ? res + "/" + parts[i + 4] : res;
      }
    }
    return parts.length > 0 ? parts[parts.length - 1] : p;
  }

  /** A fresh client of this API (the caller closes it). */
  public KubernetesClient newClient() {
    return server.createClient();
  }

  /** The admin client (closed with this object). */
  public KubernetesClient admin() {
    return admin;
  }

  /** Base URL, e.g. {@code http://127.0.0.1:41234}. */
  public String url() {
    return admin.getConfiguration().getMasterUrl();
  }

  /** Writes counted so far, per {@code METHOD resource}, sorted. */
  public Map<String, Long> writes() {
    Map<String, Long> out = new TreeMap<>();
    writes.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  /** Total writes counted so far. */
  public long totalWrites() {
    return writes.values().stream().mapToLong(LongAdder::sum).sum();
  }

  /** Drops the requests the mock server records (it keeps every one in memory). */
  public void drainRecorded() {
    try {
      while (server.takeRequest(1, java.util.concurrent.TimeUnit.MILLISECONDS) != null) {
        // drop
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Closes the admin client and shuts the server down in the background: the mock server can take minutes to close
   * after many watches (it handles each watch close on one event loop), which must not stall the next measurement.
   */
  @Override
  public void close() {
    admin.close();
    Thread t = new Thread(() -> {
      try {
        server.destroy();
      } catch (RuntimeException e) {
        // best effort: nothing is served any more
      }
    }, "mock-api-shutdown");
    t.setDaemon(true);
    t.start();
  }
}
