package io.cacheplane.operator.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SelfSignedCertificate;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The webhook server over real TLS: routing, bounds, counters, certificate reload. */
class AdmissionServerTest {

  private static final String VALID = """
      {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
       "request": {"uid": "u-1", "kind": {"group": "cacheplane.io", "version": "v1alpha1", "kind": "CachePolicy"},
        "operation": "CREATE", "name": "p", "object": {"apiVersion": "cacheplane.io/v1alpha1", "kind": "CachePolicy",
        "metadata": {"name": "p"}, "spec": {"cache": {"maximumSize": 10, "maximumWeight": "1Mi"}}}}}""";

  private static Vertx vertx;

  @BeforeAll
  static void vertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void close() {
    vertx.close();
  }

  /** The server's files: a copy of a self-signed certificate, so the test can replace it. */
  private static AdmissionSettings settings(Path dir, SelfSignedCertificate cert) throws Exception {
    Path crt = dir.resolve("tls.crt");
    Path key = dir.resolve("tls.key");
    copy(cert, crt, key);
    return AdmissionSettings.of("127.0.0.1", 0, crt, key);
  }

  private static void copy(SelfSignedCertificate cert, Path crt, Path key) throws Exception {
    Files.copy(Path.of(cert.certificatePath()), crt, StandardCopyOption.REPLACE_EXISTING);
    Files.copy(Path.of(cert.privateKeyPath()), key, StandardCopyOption.REPLACE_EXISTING);
  }

  private static HttpClient trusting(SelfSignedCertificate cert) {
    return vertx.createHttpClient(new HttpClientOptions().setSsl(true).setVerifyHost(false)
        .setTrustOptions(cert.trustOptions()));
  }

  record Answer(int status, String body) {}

  private static Answer send(HttpClient client, int port, HttpMethod method, String path, String body) throws Exception {
    Future<Answer> answer = client.request(new RequestOptions().setHost("127.0.0.1").setPort(port)
            .setMethod(method).setURI(path).putHeader("Content-Type", "application/json"))
        .compose(req -> body == null ? req.send() : req.send(Buffer.buffer(body)))
        .compose(resp -> resp.body().map(b -> new Answer(resp.statusCode(), b.toString())));
    return answer.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void answersReviewsOnItsPathOnly(@TempDir Path dir) throws Exception {
    SelfSignedCertificate cert = SelfSignedCertificate.create("localhost");
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (AdmissionServer server = AdmissionServer.start(settings(dir, cert).withMaxBodyBytes(2048), registry)) {
      HttpClient client = trusting(cert);

      Answer review = send(client, server.port(), HttpMethod.POST, AdmissionServer.PATH, VALID);
      assertThat(review.status()).isEqualTo(200);
      assertThat(review.body()).contains("\"allowed\":false").contains("spec.cache.maximumWeight")
          .contains("\"uid\":\"u-1\"");

      assertThat(send(client, server.port(), HttpMethod.GET, AdmissionServer.PATH, null).status()).isEqualTo(405);
      assertThat(send(client, server.port(), HttpMethod.POST, "/validate", VALID).status()).isEqualTo(404);
      assertThat(send(client, server.port(), HttpMethod.POST, AdmissionServer.PATH, "{}").status()).isEqualTo(400);
      Answer big = send(client, server.port(), HttpMethod.POST, AdmissionServer.PATH, "x".repeat(4096));
      assertThat(big.status()).isEqualTo(413);
      assertThat(big.body()).contains("at most 2048 bytes");

      assertThat(server.reviews()).isEqualTo(1);
      assertThat(registry.counter("cacheplane.operator.admission.reviews", "result", "denied").count()).isEqualTo(1);
      assertThat(registry.counter("cacheplane.operator.admission.reviews", "result", "bad_request").count())
          .isEqualTo(2);
    }
  }

  @Test
  void servesARotatedCertificateWithoutARestart(@TempDir Path dir) throws Exception {
    SelfSignedCertificate first = SelfSignedCertificate.create("localhost");
    SelfSignedCertificate second = SelfSignedCertificate.create("localhost");
    AdmissionSettings settings = settings(dir, first).withCertReloadInterval(Duration.ofMillis(100));
    try (AdmissionServer server = AdmissionServer.start(settings, null)) {
      assertThat(send(trusting(first), server.port(), HttpMethod.POST, AdmissionServer.PATH, VALID).status())
          .isEqualTo(200);
      assertThatThrownBy(() -> send(trusting(second), server.port(), HttpMethod.POST, AdmissionServer.PATH, VALID))
          .as("a client trusting only the next certificate").hasCauseInstanceOf(javax.net.ssl.SSLHandshakeException.class);

      copy(second, settings.certFile(), settings.keyFile());

      await("the rotated certificate is served").atMost(Duration.ofSeconds(10)).ignoreExceptions()
          .until(() -> send(trusting(second), server.port(), HttpMethod.POST, AdmissionServer.PATH, VALID).status()
              == 200);
    }
  }

  @Test
  void refusesToStartWithoutItsCertificate(@TempDir Path dir) throws Exception {
    AdmissionSettings missing = AdmissionSettings.of("127.0.0.1", 0, dir.resolve("none.crt"), dir.resolve("none.key"));
    assertThatThrownBy(() -> AdmissionServer.start(missing, null)).isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("none.crt");

    Files.writeString(dir.resolve("bad.crt"), "not a certificate");
    Files.writeString(dir.resolve("bad.key"), "not a key");
    AdmissionSettings garbage = AdmissionSettings.of("127.0.0.1", 0, dir.resolve("bad.crt"), dir.resolve("bad.key"));
    assertThatThrownBy(() -> AdmissionServer.start(garbage, null)).isInstanceOf(RuntimeException.class);
  }
}
