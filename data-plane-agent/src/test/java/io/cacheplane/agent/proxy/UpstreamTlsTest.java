package io.cacheplane.agent.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cacheplane.agent.ProxyLimits;
import io.cacheplane.agent.testing.Policies;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.SelfSignedCertificate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * https upstreams: a server with a self-signed certificate for {@code localhost}, generated here. A proxy given that
 * certificate as its CA bundle reaches it; a proxy with the JVM's defaults only, or a name the certificate does not
 * carry, gets 502 and logs why.
 */
class UpstreamTlsTest {

  private static Vertx vertx;
  private static SelfSignedCertificate cert;
  private static HttpServer upstream;
  private static ProxyFixture trusting;
  private static ProxyFixture defaults;
  private static final List<String> warnings = new CopyOnWriteArrayList<>();
  private static final Handler CAPTURE = new Handler() {
    @Override
    public void publish(LogRecord r) {
      warnings.add(r.getMessage() == null ? "" : String.valueOf(r.getMessage()) + " " + List.of(
          r.getParameters() == null ? new Object[0] : r.getParameters()));
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    cert = SelfSignedCertificate.create("localhost");
    upstream = ProxyFixture.await(vertx.createHttpServer(new HttpServerOptions().setSsl(true)
            .setKeyCertOptions(cert.keyCertOptions()))
        .requestHandler(req -> req.response().end("secure " + req.path()))
        .listen(0, "localhost"));
    String byName = "https://localhost:" + upstream.actualPort();
    String byAddress = "https://127.0.0.1:" + upstream.actualPort();
    List<io.cacheplane.api.v1alpha1.Route> routes = List.of(
        Policies.route("secure", "/secure", false, byName, null, null),
        Policies.route("wrong-name", "/wrong-name", false, byAddress, null, null));
    trusting = new ProxyFixture(vertx, routes, Map.of(), ProxyLimits.DEFAULTS, Path.of(cert.certificatePath()));
    defaults = new ProxyFixture(vertx, routes, Map.of(), ProxyLimits.DEFAULTS, null);
    Logger.getLogger(ProxyServer.class.getName()).addHandler(CAPTURE);
  }

  @AfterAll
  static void stop() throws Exception {
    Logger.getLogger(ProxyServer.class.getName()).removeHandler(CAPTURE);
    for (ProxyFixture p : new ProxyFixture[] {trusting, defaults}) {
      if (p != null) {
        p.close();
      }
    }
    if (vertx != null) {
      ProxyFixture.await(vertx.close());
    }
    if (cert != null) {
      cert.delete();
    }
  }

  @Test
  void anUpstreamSignedByABundledCaIsReached() throws Exception {
    var r = trusting.get("/secure/x");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("secure /secure/x");
  }

  @Test
  void anUntrustedUpstreamIs502WithTheReasonLogged() throws Exception {
    var r = defaults.get("/secure/x");
    assertThat(r.status()).isEqualTo(502);
    assertThat(r.body()).isEqualTo("cacheplane: upstream unavailable\n");
    assertThat(warnings).anySatisfy(w -> assertThat(w).contains("secure", "https://localhost:", "TLS handshake failed", "certification path"));
  }

  @Test
  void hostnameVerificationIsOn() throws Exception {
    // Trusted certificate, but issued for localhost, not 127.0.0.1.
    assertThat(trusting.get("/wrong-name/x").status()).isEqualTo(502);
    assertThat(warnings).anySatisfy(w -> assertThat(w).contains("wrong-name", "https://127.0.0.1:", "TLS handshake failed", "subject alternative names"));
  }

  @Test
  void anUnreadableBundleIsAClearErrorNamingTheFile(@TempDir Path dir) throws Exception {
    Path garbage = Files.writeString(dir.resolve("ca.pem"), "not a certificate");
    assertThatThrownBy(() -> UpstreamTrust.load(garbage)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(garbage.toString());
    Path missing = dir.resolve("absent.pem");
    assertThatThrownBy(() -> UpstreamTrust.load(missing)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(missing.toString());
    Path empty = Files.writeString(dir.resolve("empty.pem"), "");
    assertThatThrownBy(() -> UpstreamTrust.load(empty)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no PEM certificate");
  }
}
