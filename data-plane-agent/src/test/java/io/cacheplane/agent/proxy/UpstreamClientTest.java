package io.cacheplane.agent.proxy;

import static io.cacheplane.agent.proxy.ProxyFixture.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cacheplane.agent.Endpoint;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.buffer.impl.BufferImpl;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.NetServer;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** How {@link UpstreamClient} holds bodies and abandons them, against a real upstream. */
class UpstreamClientTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private Vertx vertx;
  private HttpServer upstream;
  private UpstreamClient client;
  private Endpoint endpoint;
  /** The client-side port of the connection each request arrived on, in order. */
  private final List<Integer> connections = new CopyOnWriteArrayList<>();
  /** The client-side ports of the connections the upstream saw closed. */
  private final Set<Integer> closed = ConcurrentHashMap.newKeySet();

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    upstream = ProxyFixture.upstream(vertx, this::answer);
    client = new UpstreamClient(vertx);
    endpoint = Endpoint.http("127.0.0.1", upstream.actualPort());
  }

  @AfterEach
  void stop() throws Exception {
    client.close();
    await(vertx.close());
  }

  /** {@code /bytes/N}: N bytes with a Content-Length; {@code /chunked/N}: N bytes chunked; {@code /stall}: never ends. */
  private void answer(HttpServerRequest req) {
    int port = req.connection().remoteAddress().port();
    if (!connections.contains(port)) {
      req.connection().closeHandler(v -> closed.add(port));
    }
    connections.add(port);
    String[] parts = req.path().split("/");
    var resp = req.response();
    switch (parts[1]) {
      case "bytes" -> resp.end(Buffer.buffer("b".repeat(Integer.parseInt(parts[2]))));
      case "chunked" -> {
        resp.setChunked(true);
        int n = Integer.parseInt(parts[2]);
        for (int sent = 0; sent < n; sent += 1000) {
          resp.write("c".repeat(Math.min(1000, n - sent)));
        }
        resp.end();
      }
      case "stall" -> resp.setChunked(true).write("started");
      default -> resp.setStatusCode(404).end();
    }
  }

  private Future<UpstreamClient.Response> get(String uri, long bufferLimit) {
    return client.send(endpoint, TIMEOUT, TIMEOUT, HttpMethod.GET, uri, List.of(), Buffer.buffer(), bufferLimit);
  }

  @Test
  void aBufferedBodyHoldsNoSpareCapacity() throws Exception {
    for (int size : List.of(1, 1500, 40_000)) {
      UpstreamClient.Response r = await(get("/bytes/" + size, 1 << 20));
      assertThat(r.complete()).isTrue();
      assertThat(r.body().length()).isEqualTo(size);
      // getByteBuf() is a slice; the buffer behind it is what the cache would keep.
      assertThat(((BufferImpl) r.body()).byteBuf().capacity()).as("capacity of a %d-byte body", size).isEqualTo(size);
    }
  }

  @Test
  void aDrainedBodyLeavesItsConnectionOpen() throws Exception {
    for (String uri : List.of("/bytes/100000", "/chunked/100000")) {
      connections.clear();
      UpstreamClient.Response r = await(get(uri, 0));
      assertThat(r.complete()).as(uri).isFalse();
      await(r.drain(UpstreamClient.DRAIN_LIMIT, TIMEOUT));
      int used = connections.get(0);
      Awaitility.await(uri + ": the connection stays open").during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(3))
          .until(() -> !closed.contains(used));
      assertThat(await(get("/bytes/10", 1024)).body().toString()).isEqualTo("b".repeat(10));
    }
  }

  @Test
  void aBodyDeclaringMoreThanTheLimitIsCutAndTheNextRequestStillSucceeds() throws Exception {
    UpstreamClient.Response r = await(get("/bytes/200000", 0));
    await(r.drain(100_000, TIMEOUT));
    int used = connections.get(0);
    Awaitility.await("the connection is closed").atMost(Duration.ofSeconds(5)).until(() -> closed.contains(used));
    assertThat(await(get("/bytes/10", 1024)).status()).isEqualTo(200);
  }

  @Test
  void aBodyThatNeverEndsIsCutAfterTheGracePeriod() throws Exception {
    UpstreamClient.Response r = await(get("/stall", 0));
    await(r.drain(UpstreamClient.DRAIN_LIMIT, Duration.ofMillis(200)));
    int used = connections.get(0);
    Awaitility.await("the connection is closed").atMost(Duration.ofSeconds(5)).until(() -> closed.contains(used));
    assertThat(await(get("/bytes/10", 1024)).status()).isEqualTo(200);
  }

  @Test
  void discardingACompleteResponseLeavesItsConnectionOpen() throws Exception {
    UpstreamClient.Response r = await(get("/bytes/10", 1024));
    r.discard();
    await(r.drain(0, Duration.ofMillis(1)));
    int used = connections.get(0);
    Awaitility.await("the connection stays open").during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(3))
        .until(() -> !closed.contains(used));
    assertThat(await(get("/bytes/10", 1024)).status()).isEqualTo(200);
  }

  /**
   * A raw upstream that answers the first request on each connection (keep-alive) and closes the connection when a
   * second one arrives on it, as a server whose idle timeout fired just as the request went out; a request for
   * {@code /always-close} is closed on at once. Counts connections and request heads.
   */
  private static final class ClosingUpstream {
    final AtomicInteger connections = new AtomicInteger();
    final AtomicInteger requests = new AtomicInteger();
    final NetServer server;

    ClosingUpstream(Vertx vertx) throws Exception {
      server = await(vertx.createNetServer().connectHandler(socket -> {
        connections.incrementAndGet();
        StringBuilder in = new StringBuilder();
        int[] heads = {0};
        socket.handler(data -> {
          in.append(data.toString());
          int end;
          while ((end = in.indexOf("\r\n\r\n")) >= 0) {
            String head = in.substring(0, end);
            in.delete(0, end + 4);
            requests.incrementAndGet();
            heads[0]++;
            if (heads[0] > 1 || head.contains("/always-close")) {
              socket.close();
              return;
            }
            socket.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
          }
        });
      }).listen(0, "127.0.0.1"));
    }

    Endpoint endpoint() {
      return Endpoint.http("127.0.0.1", server.actualPort());
    }
  }

  @Test
  void anIdempotentRequestOnAConnectionTheUpstreamClosedIsSentAgainOnce() throws Exception {
    for (HttpMethod m : List.of(HttpMethod.GET, HttpMethod.PUT)) {
      ClosingUpstream closing = new ClosingUpstream(vertx);
      // One connection per endpoint: the second request must reuse the first one's connection.
      try (UpstreamClient single = new UpstreamClient(vertx, null, 1)) {
        assertThat(await(sendTo(single, closing.endpoint(), m, "/a")).body().toString()).isEqualTo("ok");
        UpstreamClient.Response second = await(sendTo(single, closing.endpoint(), m, "/b"));
        assertThat(second.status()).as(m.name()).isEqualTo(200);
        assertThat(closing.requests.get()).as(m + ": /a, /b closed on, /b again").isEqualTo(3);
        assertThat(closing.connections.get()).as(m + ": /b again on a new connection").isEqualTo(2);
      }
    }
  }

  @Test
  void postOnAConnectionTheUpstreamClosedIsNotSentAgain() throws Exception {
    ClosingUpstream closing = new ClosingUpstream(vertx);
    try (UpstreamClient single = new UpstreamClient(vertx, null, 1)) {
      assertThat(await(sendTo(single, closing.endpoint(), HttpMethod.POST, "/a")).status()).isEqualTo(200);
      Future<UpstreamClient.Response> second = sendTo(single, closing.endpoint(), HttpMethod.POST, "/b");
      assertThatThrownBy(() -> await(second)).hasCauseInstanceOf(UpstreamClient.FailureException.class);
      assertThat(closing.requests.get()).as("/a and /b, once each").isEqualTo(2);
    }
  }

  @Test
  void aFreshConnectionClosedBeforeAnsweringIsNotSentAgain() throws Exception {
    ClosingUpstream closing = new ClosingUpstream(vertx);
    Future<UpstreamClient.Response> r = sendTo(client, closing.endpoint(), HttpMethod.GET, "/always-close");
    assertThatThrownBy(() -> await(r)).hasCauseInstanceOf(UpstreamClient.FailureException.class);
    assertThat(closing.requests.get()).isEqualTo(1);
  }

  private static Future<UpstreamClient.Response> sendTo(UpstreamClient c, Endpoint e, HttpMethod m, String uri) {
    Buffer body = m == HttpMethod.GET ? Buffer.buffer() : Buffer.buffer("x");
    return c.send(e, TIMEOUT, TIMEOUT, m, uri, List.of(), body, 1024);
  }
}
