package io.cacheplane.agent;

import java.util.Locale;
import java.util.Objects;

/**
 * Where an upstream listens: scheme, host and port.
 *
 * @param scheme {@code http} or {@code https} (lower case)
 * @param host a DNS name or an IP literal (no brackets)
 * @param port 1..65535
 */
public record Endpoint(String scheme, String host, int port) {

  /**
   * @throws IllegalArgumentException when the scheme is neither http nor https, the host is blank or the port is out
   *     of range
   */
  public Endpoint {
    Objects.requireNonNull(scheme, "scheme");
    Objects.requireNonNull(host, "host");
    scheme = scheme.toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException("scheme must be http or https, got " + scheme);
    }
    if (host.isBlank()) {
      throw new IllegalArgumentException("host must not be blank");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port must be in 1..65535, got " + port);
    }
  }

  /** A plain-HTTP endpoint. */
  public static Endpoint http(String host, int port) {
    return new Endpoint("http", host, port);
  }

  /** Whether the connection uses TLS. */
  public boolean tls() {
    return scheme.equals("https");
  }

  @Override
  public String toString() {
    return scheme + "://" + host + ":" + port;
  }
}
