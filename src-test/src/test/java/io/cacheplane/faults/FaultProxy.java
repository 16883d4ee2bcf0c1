package io.cacheplane.faults;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A fault-injecting TCP relay on a loopback port in front of one target (the Kubernetes API of the tests): bytes are
 * copied both ways untouched (TLS passes through), and {@link #cut()} closes every open connection with a reset and
 * resets every new one at once, until {@link #restore()}. To a client this looks like an API server that went away:
 * watches break, requests fail, reconnections are refused.
 *
 * <p>A Vert.x {@link NetServer} relay rather than a library: NetCrusher (the usual Java choice for this) is not in
 * the build's repository, and the relay is a few dozen lines on the Vert.x the project already uses.
 *
 * <p>Counters: {@link #accepted()} connections relayed, {@link #refused()} connections reset while cut (proof that a
 * client tried during the outage), {@link #open()} connections open now.
 */
final class FaultProxy implements ApiFault, AutoCloseable {

  private final NetServer server;
  private final NetClient client;
  private final String name;
  private final String targetHost;
  private final int targetPort;
  private final Set<NetSocket> sockets = ConcurrentHashMap.newKeySet();
  private final AtomicLong accepted = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private volatile boolean cut;

  private FaultProxy(Vertx vertx, String name, String targetHost, int targetPort) {
    this.name = name;
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    // SO_LINGER 0: close() sends a reset, as a vanished server's host would, instead of a polite FIN.
    this.server = vertx.createNetServer(new NetServerOptions().setHost("127.0.0.1").setPort(0).setSoLinger(0));
    this.client = vertx.createNetClient(new NetClientOptions().setConnectTimeout(5000).setSoLinger(0));
  }

  /**
   * Starts relaying {@code 127.0.0.1:<ephemeral port>} to {@code targetHost:targetPort}.
   *
   * @param target what the proxy stands in front of, for {@link #name()} (e.g. {@code mock-server})
   * @throws IllegalStateException when the port cannot be bound within 10 seconds
   */
  static FaultProxy start(Vertx vertx, String target, String targetHost, int targetPort) {
    FaultProxy proxy = new FaultProxy(vertx, "agents-cut-off-from-" + target, targetHost, targetPort);
    proxy.server.connectHandler(proxy::relay);
    try {
      proxy.server.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("the fault proxy cannot listen: " + e.getMessage(), e);
    }
    return proxy;
  }

  private void relay(NetSocket downstream) {
    if (cut) {
      refused.incrementAndGet();
      downstream.exceptionHandler(t -> { });
      downstream.close();
      return;
    }
    accepted.incrementAndGet();
    downstream.exceptionHandler(t -> { }); // resets are what this proxy is for: no error log per connection
    downstream.pause();
    sockets.add(downstream);
    downstream.closeHandler(v -> sockets.remove(downstream));
    client.connect(targetPort, targetHost).onComplete(ar -> {
      if (ar.failed() || cut) {
        if (ar.succeeded()) {
          ar.result().close();
        }
        downstream.close();
        return;
      }
      NetSocket upstream = ar.result();
      upstream.exceptionHandler(t -> { });
      sockets.add(upstream);
      upstream.closeHandler(v -> {
        sockets.remove(upstream);
        downstream.close();
      });
      downstream.closeHandler(v -> {
        sockets.remove(downstream);
        upstream.close();
      });
      downstream.pipeTo(upstream);
      upstream.pipeTo(downstream);
    });
  }

  /** The loopback port clients connect to. */
  int port() {
    return server.actualPort();
  }

  /** {@code <scheme>://127.0.0.1:<port>}. */
  String url(String scheme) {
    return scheme + "://127.0.0.1:" + port();
  }

  /** Closes every open connection (both sides) and refuses new ones from now on. */
  @Override
  public void cut() {
    cut = true;
    for (NetSocket s : sockets) {
      s.close();
    }
    sockets.clear();
  }

  @Override
  public void restore() {
    cut = false;
  }

  @Override
  public String name() {
    return name;
  }

  /** Connections relayed so far. */
  long accepted() {
    return accepted.get();
  }

  /** Connections reset because the proxy was cut. */
  long refused() {
    return refused.get();
  }

  /** Connections open now (each relayed connection counts twice: client side and target side). */
  int open() {
    return sockets.size();
  }

  @Override
  public void close() {
    cut();
    server.close();
    client.close();
  }

  @Override
  public String toString() {
    return "FaultProxy[127.0.0.1:" + port() + " -> " + targetHost + ":" + targetPort + (cut ? ", cut" : "") + "]";
  }
}
