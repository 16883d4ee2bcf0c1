package io.cacheplane.operator.admission;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How an {@link AdmissionServer} listens.
 *
 * @param host the address to bind, e.g. {@code 0.0.0.0} in a pod or {@code 127.0.0.1} in tests
 * @param port the TCP port; 0 picks a free one ({@link AdmissionServer#port()} tells which). The chart uses
 *     {@value #DEFAULT_PORT}
 * @param certFile the serving certificate chain, PEM (leaf first), e.g. a mounted Secret's {@code tls.crt}
 * @param keyFile its private key, PEM (PKCS#1 or PKCS#8), e.g. {@code tls.key}
 * @param maxBodyBytes largest request body read, in bytes ({@link AdmissionReviews#DEFAULT_MAX_BODY_BYTES} by default)
 * @param certReloadInterval how often the two files are read again; new content is served to new connections
 *     without a restart (a rotated Secret reaches the mounted files within about a minute). {@link Duration#ZERO} turns
 *     reloading off; {@value #DEFAULT_RELOAD_SECONDS} s by default
 */
public record AdmissionSettings(String host, int port, Path certFile, Path keyFile, int maxBodyBytes,
    Duration certReloadInterval) {

  /** The port the chart's Service targets. */
  public static final int DEFAULT_PORT = 9443;
  /** {@link #certReloadInterval} by default, in seconds. */
  public static final long DEFAULT_RELOAD_SECONDS = 30;

  /**
   * @throws NullPointerException when an argument is null
   * @throws IllegalArgumentException when the host is blank, the port outside 0…65535, the body bound not positive
   *     or the reload interval negative
   */
  public AdmissionSettings {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(certFile, "certFile");
    Objects.requireNonNull(keyFile, "keyFile");
    Objects.requireNonNull(certReloadInterval, "certReloadInterval");
    if (host.isBlank()) {
      throw new IllegalArgumentException("host must not be blank");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be within 0…65535, got " + port);
    }
    if (maxBodyBytes <= 0) {
      throw new IllegalArgumentException("maxBodyBytes must be positive, got " + maxBodyBytes);
    }
    if (certReloadInterval.isNegative()) {
      throw new IllegalArgumentException("certReloadInterval must not be negative, got " + certReloadInterval);
    }
  }

  /** {@code host:port} with the default body bound and reload interval. */
  public static AdmissionSettings of(String host, int port, Path certFile, Path keyFile) {
    return new AdmissionSettings(host, port, certFile, keyFile, AdmissionReviews.DEFAULT_MAX_BODY_BYTES,
        Duration.ofSeconds(DEFAULT_RELOAD_SECONDS));
  }

  /** A copy with another reload interval. */
  public AdmissionSettings withCertReloadInterval(Duration interval) {
    return new AdmissionSettings(host, port, certFile, keyFile, maxBodyBytes, interval);
  }

  /** A copy with another body bound. */
  public AdmissionSettings withMaxBodyBytes(int maxBodyBytes) {
    return new AdmissionSettings(host, port, certFile, keyFile, maxBodyBytes, certReloadInterval);
  }
}
