package io.cacheplane.agent.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.cacheplane.agent.ProxyLimits;
import io.cacheplane.agent.testing.Policies;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** ProxyLimits on the real server: 414, 431, 413 and idle clients closed. Raw sockets, to send what clients can. */
class ProxyLimitsTest {

  private static final ProxyLimits LIMITS = new ProxyLimits(100, 1024, 1000, Duration.ofMillis(300));

  private static Vertx vertx;
  private static HttpServer upstream;
  private static ProxyFixture proxy;
  private static final AtomicInteger upstreamCalls = new AtomicInteger();

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    upstream = ProxyFixture.upstream(vertx, req -> {
      upstreamCalls.incrementAndGet();
      req.body().onSuccess(b -> req.response().end("got " + b.length()));
    });
    proxy = new ProxyFixture(vertx,
        List.of(Policies.route("all", "/", false, "http://127.0.0.1:" + upstream.actualPort(), null, null)),
        Map.of(), LIMITS, null);
  }

  @AfterAll
  static void stop() throws Exception {
    if (proxy != null) {
      proxy.close();
    }
    if (vertx != null) {
      ProxyFixture.await(vertx.close());
    }
  }

  /** Writes {@code request} and returns the response read (until its Content-Length is complete or the close). */
  private static String exchange(String request) throws IOException {
    try (Socket s = new Socket("127.0.0.1", proxy.proxy.port())) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      byte[] buf = new byte[8192];
      int n;
      try {
        while ((n = in.read(buf)) >= 0) {
          got.write(buf, 0, n);
          if (complete(got.toString(StandardCharsets.ISO_8859_1))) {
            break;
          }
        }
      } catch (java.net.SocketException e) {
        // reset after the answer: what was read is the answer
      }
      return got.toString(StandardCharsets.ISO_8859_1);
    }
  }

  private static boolean complete(String text) {
    int end = text.indexOf("\r\n\r\n");
    if (end < 0) {
      return false;
    }
    for (String line : text.substring(0, end).split("\r\n")) {
      if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
        return text.length() - end - 4 >= Integer.parseInt(line.substring(15).trim());
      }
    }
    return false;
  }

  private static String statusLine(String response) {
    int end = response.indexOf("\r\n");
    return end < 0 ? response : response.substring(0, end);
  }

  private static String get(String uri, String extraHeaders) {
    return "GET " + uri + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extraHeaders + "\r\n";
  }

  @Test
  void uriUpToTheLimitPassesLongerIs414() throws Exception {
    String ok = "/" + "a".repeat(99);
    assertThat(statusLine(exchange(get(ok, "")))).isEqualTo("HTTP/1.1 200 OK");
    int before = upstreamCalls.get();
    assertThat(statusLine(exchange(get(ok + "a", "")))).startsWith("HTTP/1.1 414 ");
    // Past the decoder's line bound Vert.x answers itself, as HTTP/1.0 (it could not read the request's version).
    assertThat(statusLine(exchange(get("/?q=" + "a".repeat(10_000), "")))).as("past the decoder's line bound")
        .matches("HTTP/1\\.[01] 414 .*");
    assertThat(upstreamCalls.get()).isEqualTo(before);
  }

  @Test
  void headersLargerThanTheLimitAre431() throws Exception {
    assertThat(statusLine(exchange(get("/h", "X-Pad: " + "p".repeat(500) + "\r\n")))).isEqualTo("HTTP/1.1 200 OK");
    int before = upstreamCalls.get();
    assertThat(statusLine(exchange(get("/h", "X-Pad: " + "p".repeat(2000) + "\r\n"))))
        .startsWith("HTTP/1.1 431 ");
    StringBuilder many = new StringBuilder();
    for (int i = 0; i < 40; i++) {
      many.append("X-H").append(i).append(": ").append("v".repeat(30)).append("\r\n");
    }
    assertThat(statusLine(exchange(get("/h", many.toString())))).as("many small headers add up")
        .startsWith("HTTP/1.1 431 ");
    assertThat(upstreamCalls.get()).isEqualTo(before);
  }

  @Test
  void declaredBodyOverTheLimitIs413BeforeReading() throws Exception {
    int before = upstreamCalls.get();
    String head = "POST /b HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1001\r\n\r\n"; // the body is never sent
    assertThat(statusLine(exchange(head))).startsWith("HTTP/1.1 413 ");
    assertThat(upstreamCalls.get()).isEqualTo(before);
  }

  @Test
  void chunkedBodyIsCutOffWhenItPassesTheLimit() throws Exception {
    String within = "POST /b HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
        + "3e8\r\n" + "x".repeat(1000) + "\r\n0\r\n\r\n";
    assertThat(statusLine(exchange(within))).isEqualTo("HTTP/1.1 200 OK");
    int before = upstreamCalls.get();
    StringBuilder over = new StringBuilder("POST /b HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n");
    for (int i = 0; i < 3; i++) {
      over.append("190\r\n").append("y".repeat(400)).append("\r\n"); // 3 × 400 bytes
    }
    over.append("0\r\n\r\n");
    assertThat(statusLine(exchange(over.toString()))).startsWith("HTTP/1.1 413 ");
    assertThat(upstreamCalls.get()).isEqualTo(before);
  }

  @Test
  void aClientThatStopsHalfWayIsClosedAfterTheIdleTimeout() throws Exception {
    try (Socket s = new Socket("127.0.0.1", proxy.proxy.port())) {
      s.setSoTimeout(10_000); // far above the 300 ms idle timeout: a read that returns -1 means the proxy closed
      byte[] half = "GET /half HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII);
      s.getOutputStream().write(half);
      s.getOutputStream().flush();
      int read;
      try {
        read = s.getInputStream().read();
      } catch (java.net.SocketException reset) {
        read = -1;
      }
      assertThat(read).as("connection closed without an answer").isEqualTo(-1);
    }
  }
}
