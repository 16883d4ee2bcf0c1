package io.cacheplane.operator.admission;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.SSLOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The validating admission webhook over HTTPS: {@code POST} {@value #PATH} with an {@code AdmissionReview} body,
 * answered by {@link AdmissionReviews#handle} (so by {@link PolicyAdmission#review}). Any other path is 404, any other
 * method 405; a body over {@link AdmissionSettings#maxBodyBytes()} is refused with 413 without reading it all.
 * <p>Runs on a Vert.x instance of its own (one event loop; reviews are decided on a worker thread), so it needs no
 * Quarkus and runs in tests and local mode as in the pod, on every replica (the webhook does not depend on leader
 * election). TLS only: the certificate and key are read from PEM files at start and, every
 * {@link AdmissionSettings#certReloadInterval()}, again; changed content is served to new connections (Vert.x
 * {@code updateSSLOptions}); a pair that does not load keeps the previous one and is tried again next time.
 * <p>Meters ({@code cacheplane_operator_admission_reviews_total{result}}, {@code result} one of
 * {@code allowed}, {@code denied}, {@code bad_request}): counted when a registry is given.
 */
public final class AdmissionServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(AdmissionServer.class);

  /** The webhook's path, named as controller-runtime names validating webhooks ({@code /validate-<group>-<version>}). */
  public static final String PATH = "/validate-cacheplane-io-v1alpha1";

  private static final long START_TIMEOUT_SECONDS = 30;

  private final AdmissionSettings settings;
  private final MeterRegistry registry;
  private final Vertx vertx;
  private final AtomicLong reviews = new AtomicLong();
  private HttpServer server;
  private byte[] loadedCert;
  private byte[] loadedKey;
  private long reloadTimer = -1;

  private AdmissionServer(AdmissionSettings settings, MeterRegistry registry) {
    this.settings = settings;
    this.registry = registry;
    this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(2)
        .setInternalBlockingPoolSize(1));
  }

  /**
   * Starts listening; returns once the port is bound.
   *
   * @param settings address, port, PEM files
   * @param registry where review counters go, or {@code null} for none
   * @return the running server
   * @throws UncheckedIOException when a PEM file cannot be read
   * @throws IllegalStateException when the key or certificate does not load or the port cannot be bound (nothing is
   *     left running then)
   */
  public static AdmissionServer start(AdmissionSettings settings, MeterRegistry registry) {
    Objects.requireNonNull(settings, "settings");
    AdmissionServer started = new AdmissionServer(settings, registry);
    try {
      started.listen();
    } catch (RuntimeException e) {
      started.close();
      throw e;
    }
    return started;
  }

  private void listen() {
    loadedCert = read(settings.certFile());
    loadedKey = read(settings.keyFile());
    HttpServerOptions options = new HttpServerOptions()
        .setHost(settings.host())
        .setPort(settings.port())
        .setSsl(true)
        .setKeyCertOptions(pem(loadedCert, loadedKey))
        .setMaxInitialLineLength(4096)
        .setMaxHeaderSize(16 * 1024)
        .setIdleTimeout(60)
        .setIdleTimeoutUnit(TimeUnit.SECONDS);
    try {
      server = vertx.createHttpServer(options).requestHandler(this::serve).listen()
          .toCompletionStage().toCompletableFuture().get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting the admission server", e);
    } catch (ExecutionException | TimeoutException e) {
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      throw new IllegalStateException("cannot start the admission server on " + settings.host() + ":"
          + settings.port() + " with " + settings.certFile() + " / " + settings.keyFile() + ": " + cause, cause);
    }
    if (!settings.certReloadInterval().isZero()) {
      reloadTimer = vertx.setPeriodic(Math.max(1, settings.certReloadInterval().toMillis()), id -> reload());
    }
    LOG.info("admission webhook listening on https://{}:{}{}", settings.host(), server.actualPort(), PATH);
  }

  /** The bound port (the chosen one when the settings asked for 0). */
  public int port() {
    return server.actualPort();
  }

  /** Reviews answered with HTTP 200 since start (allowed and denied). */
  public long reviews() {
    return reviews.get();
  }

  private void serve(HttpServerRequest request) {
    if (!PATH.equals(request.path())) {
      reply(request, 404, "text/plain; charset=utf-8", "not found: the webhook path is " + PATH + "\n", true);
      return;
    }
    if (request.method() != HttpMethod.POST) {
      request.response().putHeader("Allow", "POST");
      reply(request, 405, "text/plain; charset=utf-8", "method not allowed: POST an AdmissionReview\n", true);
      return;
    }
    int max = settings.maxBodyBytes();
    String length = request.getHeader("Content-Length");
    if (length != null && parseLong(length) > max) {
      tooLarge(request);
      return;
    }
    Buffer body = Buffer.buffer();
    boolean[] refused = {false};
    request.handler(chunk -> {
      if (refused[0]) {
        return;
      }
      if (body.length() + chunk.length() > max) {
        refused[0] = true;
        tooLarge(request);
        return;
      }
      body.appendBuffer(chunk);
    });
    request.exceptionHandler(e -> LOG.debug("admission request from {}: {}", request.remoteAddress(), e.toString()));
    request.endHandler(v -> {
      if (refused[0]) {
        return;
      }
      vertx.<AdmissionReviews.Reply>executeBlocking(() -> AdmissionReviews.handle(body.getBytes(), max), false)
          .onSuccess(r -> {
            count(r);
            reply(request, r.status(), r.contentType(), r.body(), false);
          })
          .onFailure(e -> {
            LOG.error("admission review failed", e);
            reply(request, 500, "text/plain; charset=utf-8", "internal error\n", true);
          });
    });
  }

  private void tooLarge(HttpServerRequest request) {
    AdmissionReviews.Reply r = AdmissionReviews.tooLarge(settings.maxBodyBytes());
    count(r);
    reply(request, r.status(), r.contentType(), r.body(), true);
  }

  private void count(AdmissionReviews.Reply r) {
    if (r.response() != null) {
      reviews.incrementAndGet();
    }
    if (registry == null) {
      return;
    }
    String result = r.response() == null ? "bad_request" : r.response().getAllowed() ? "allowed" : "denied";
    Counter.builder("cacheplane.operator.admission.reviews").description("Admission reviews answered by outcome")
        .tag("result", result).register(registry).increment();
  }

  private static void reply(HttpServerRequest request, int status, String contentType, String body, boolean close) {
    if (request.response().ended() || request.response().closed()) {
      return;
    }
    request.response().setStatusCode(status).putHeader("Content-Type", contentType);
    if (close) {
      request.response().putHeader("Connection", "close");
    }
    request.response().end(body).onComplete(done -> {
      if (close) {
        request.connection().close();
      }
    });
  }

  /** Reads both files again and serves them to new connections when they changed (runs on the event loop). */
  private void reload() {
    vertx.<byte[][]>executeBlocking(() -> new byte[][] {
        read(settings.certFile()), read(settings.keyFile())}, false)
        .onFailure(e -> LOG.warn("admission webhook: cannot read the certificate files ({}); keeping the loaded pair",
            e.toString()))
        .onSuccess(pair -> {
          if (Arrays.equals(pair[0], loadedCert) && Arrays.equals(pair[1], loadedKey)) {
            return;
          }
          server.updateSSLOptions(new SSLOptions().setKeyCertOptions(pem(pair[0], pair[1])))
              .onSuccess(updated -> {
                loadedCert = pair[0];
                loadedKey = pair[1];
                LOG.info("admission webhook: serving the new certificate of {}", settings.certFile());
              })
              .onFailure(e -> LOG.warn("admission webhook: the new certificate or key of {} / {} does not load ({});"
                  + " keeping the loaded pair", settings.certFile(), settings.keyFile(), e.toString()));
        });
  }

  private static PemKeyCertOptions pem(byte[] cert, byte[] key) {
    return new PemKeyCertOptions().setCertValue(Buffer.buffer(cert)).setKeyValue(Buffer.buffer(key));
  }

  private static byte[] read(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  private static long parseLong(String text) {
    try {
      return Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** Stops listening and closes the Vert.x instance; waits at most a few seconds. Idempotent. */
  @Override
  public void close() {
    if (reloadTimer >= 0) {
      vertx.cancelTimer(reloadTimer);
    }
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      LOG.warn("stopping the admission server: {}", e.toString());
    }
  }
}
