package io.cacheplane.agent.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.cacheplane.agent.ProxyLimits;
import io.cacheplane.agent.cache.CacheConfig;
import io.cacheplane.agent.proxy.ProxyFixture.Reply;
import io.cacheplane.agent.testing.Policies;
import io.cacheplane.api.v1alpha1.HeaderModifier;
import io.cacheplane.api.v1alpha1.HttpHeader;
import io.cacheplane.api.v1alpha1.Route;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Hostile requests on the real proxy: forwarded headers that would poison a cache, a Set-Cookie added by a route's
 * response modifier, bad Host headers (raw sockets), and the request limits over HTTP/2 (h2c prior knowledge).
 */
class ProxyHardeningTest {

  private static final ProxyLimits LIMITS = new ProxyLimits(100, 1024, 1000, Duration.ofSeconds(30));

  private static Vertx vertx;
  private static HttpServer upstream;
  private static ProxyFixture proxy;
  private static HttpClient h2;
  private static final AtomicInteger upstreamCalls = new AtomicInteger();

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    // Echoes the forwarded values into the body, as an upstream building absolute links or redirects would.
    upstream = ProxyFixture.upstream(vertx, req -> {
      upstreamCalls.incrementAndGet();
      req.body().onSuccess(b -> req.response().end(
          req.getHeader("X-Forwarded-Proto") + "://" + req.getHeader("X-Forwarded-Host") + req.path()));
    });
    String up = "http://127.0.0.1:" + upstream.actualPort();
    Route cookie = Policies.route("cookie", "/cookie", false, up, "pages", null);
    HeaderModifier setCookie = new HeaderModifier();
    setCookie.setAdd(List.of(new HttpHeader("Set-Cookie", "session=abc")));
    cookie.setResponseHeaderModifier(setCookie);
    Route pinned = Policies.route("pinned", "/pinned", false, up, "pages", null);
    HeaderModifier pin = new HeaderModifier();
    pin.setSet(List.of(new HttpHeader("X-Forwarded-Host", "www.example")));
    pinned.setRequestHeaderModifier(pin);
    proxy = new ProxyFixture(vertx,
        List.of(cookie, pinned, Policies.route("pages", "/", false, up, "pages", null)),
        Map.of("pages", CacheConfig.defaults()), LIMITS, null);
    h2 = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false).setDefaultHost("127.0.0.1").setDefaultPort(proxy.proxy.port()));
  }

  @AfterAll
  static void stop() throws Exception {
    if (h2 != null) {
      h2.close();
    }
    if (proxy != null) {
      proxy.close();
    }
    if (vertx != null) {
      ProxyFixture.await(vertx.close());
    }
  }

  @Test
  void forwardedValuesFromTheClientNeverReachAnotherClientsEntry() throws Exception {
    Map<String, String> evil = Map.of("X-Forwarded-Host", "evil.example", "X-Forwarded-Proto", "javascript");
    Reply poisoned = proxy.call(HttpMethod.GET, "/sie/poison", evil);
    assertThat(poisoned.body()).isEqualTo("javascript://evil.example/sie/poison");
    assertThat(poisoned.xCache()).isEqualTo("MISS");

    Reply clean = proxy.get("/sie/poison");
    assertThat(clean.xCache()).as("a clean request does not get the entry keyed on evil values").isEqualTo("MISS");
    assertThat(clean.body()).isEqualTo("http://127.0.0.1:" + proxy.proxy.port() + "/sie/poison");
    assertThat(proxy.get("/sie/poison").xCache()).isEqualTo("HIT");

    Reply again = proxy.call(HttpMethod.GET, "/sie/poison", evil);
    assertThat(again.xCache()).as("same forwarded values share their own entry").isEqualTo("HIT");
    assertThat(again.body()).isEqualTo("javascript://evil.example/sie/poison");
    Reply otherHost = proxy.call(HttpMethod.GET, "/sie/poison", Map.of("X-Forwarded-Host", "other.example"));
    assertThat(otherHost.xCache()).isEqualTo("MISS");
    assertThat(otherHost.body()).isEqualTo("http://other.example/sie/poison");

    Reply own = proxy.call(HttpMethod.GET, "/sie/poison",
        Map.of("X-Forwarded-Host", "127.0.0.1:" + proxy.proxy.port(), "X-Forwarded-Proto", "http"));
    assertThat(own.xCache()).as("values equal to the request's own send the same upstream request").isEqualTo("HIT");
  }

  @Test
  void forwardedHostPinnedByTheRouteIsWhatTheKeyUses() throws Exception {
    assertThat(proxy.call(HttpMethod.GET, "/pinned/a", Map.of("X-Forwarded-Host", "evil.example")).body())
        .isEqualTo("http://www.example/pinned/a");
    Reply clean = proxy.get("/pinned/a");
    assertThat(clean.xCache()).as("the upstream saw the same values").isEqualTo("HIT");
    assertThat(clean.body()).isEqualTo("http://www.example/pinned/a");
  }

  @Test
  void setCookieAddedByTheResponseModifierIsNeverStored() throws Exception {
    Reply first = proxy.get("/cookie/x");
    assertThat(first.headers().getAll("Set-Cookie")).containsExactly("session=abc");
    assertThat(first.xCache()).isEqualTo("MISS");
    Reply second = proxy.get("/cookie/x");
    assertThat(second.xCache()).isEqualTo("MISS");
    assertThat(second.headers().getAll("Set-Cookie")).containsExactly("session=abc");
  }

  /** Writes {@code request} and returns the status line of the answer. */
  private static String statusLine(String request) throws IOException {
    try (Socket s = new Socket("127.0.0.1", proxy.proxy.port())) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      s.getOutputStream().flush();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      int b;
      while ((b = in.read()) >= 0 && b != '\n') {
        got.write(b);
      }
      return got.toString(StandardCharsets.ISO_8859_1).trim();
    }
  }

  @Test
  void hostHeaderMustBeThereOnceOnHttp11() throws Exception {
    int before = upstreamCalls.get();
    assertThat(statusLine("GET /h HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\n\r\n"))
        .isEqualTo("HTTP/1.1 400 Bad Request");
    assertThat(statusLine("GET /h HTTP/1.1\r\n\r\n")).isEqualTo("HTTP/1.1 400 Bad Request");
    assertThat(statusLine("GET /h HTTP/1.0\r\nHost: a.example\r\nHost: b.example\r\n\r\n"))
        .isEqualTo("HTTP/1.0 400 Bad Request");
    assertThat(upstreamCalls.get()).isEqualTo(before);
    assertThat(statusLine("GET /h HTTP/1.0\r\n\r\n")).as("HTTP/1.0 needs no Host").isEqualTo("HTTP/1.0 200 OK");
    assertThat(statusLine("GET /h HTTP/1.1\r\nHost: a.example\r\n\r\n")).isEqualTo("HTTP/1.1 200 OK");
  }

  private static Future<Integer> h2Status(RequestOptions options, Buffer body) {
    return h2.request(options).compose(req -> (body == null ? req.send() : req.send(body))
        .compose(resp -> resp.body().map(b -> resp.statusCode())));
  }

  @Test
  void limitsAnswerStatusesOverHttp2() throws Exception {
    RequestOptions ok = new RequestOptions().setURI("/h2/ok");
    assertThat(ProxyFixture.await(h2Status(ok, null))).isEqualTo(200);
    int before = upstreamCalls.get();
    RequestOptions longUri = new RequestOptions().setURI("/" + "a".repeat(200));
    assertThat(ProxyFixture.await(h2Status(longUri, null))).as("URI too long").isEqualTo(414);
    RequestOptions bigHeaders = new RequestOptions().setURI("/h2/h").putHeader("X-Pad", "p".repeat(2000));
    assertThat(ProxyFixture.await(h2Status(bigHeaders, null))).as("headers too large").isEqualTo(431);
    RequestOptions bigBody = new RequestOptions().setMethod(HttpMethod.POST).setURI("/h2/b");
    assertThat(ProxyFixture.await(h2Status(bigBody, Buffer.buffer("x".repeat(1001))))).as("body too large")
        .isEqualTo(413);
    assertThat(upstreamCalls.get()).isEqualTo(before);
  }

  @Test
  void expectContinueGetsA413WithoutA100WhenTheDeclaredBodyIsOverTheLimit() throws Exception {
    int before = upstreamCalls.get();
    assertThat(statusLine("POST /b HTTP/1.1\r\nHost: a.example\r\nExpect: 100-continue\r\n"
        + "Content-Length: 1001\r\n\r\n")).isEqualTo("HTTP/1.1 413 Request Entity Too Large");
    assertThat(upstreamCalls.get()).isEqualTo(before);
  }

  @Test
  void expectContinueWithinTheLimitGetsA100ThenTheAnswer() throws Exception {
    try (Socket s = new Socket("127.0.0.1", proxy.proxy.port())) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(("POST /c HTTP/1.1\r\nHost: a.example\r\nExpect: 100-continue\r\n"
          + "Content-Length: 5\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      s.getOutputStream().flush();
      InputStream in = s.getInputStream();
      assertThat(line(in)).isEqualTo("HTTP/1.1 100 Continue");
      assertThat(line(in)).isEmpty();
      s.getOutputStream().write("hello".getBytes(StandardCharsets.ISO_8859_1));
      s.getOutputStream().flush();
      assertThat(line(in)).isEqualTo("HTTP/1.1 200 OK");
    }
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0 && b != '\n') {
      got.write(b);
    }
    return got.toString(StandardCharsets.ISO_8859_1).trim();
  }
}
