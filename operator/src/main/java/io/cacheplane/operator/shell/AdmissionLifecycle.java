package io.cacheplane.operator.shell;

import io.cacheplane.operator.admission.AdmissionReviews;
import io.cacheplane.operator.admission.AdmissionServer;
import io.cacheplane.operator.admission.AdmissionSettings;
import io.cacheplane.operator.rollout.Strategy;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Starts the validating admission webhook ({@link AdmissionServer}) on {@link StartupEvent} when
 * {@value #PREFIX}{@code enabled} is true (false by default; the chart sets it with {@code webhook.enabled}), on every
 * replica, leader or not. Keys under {@value #PREFIX}: {@code host} ({@code 0.0.0.0}), {@code port}
 * ({@value AdmissionSettings#DEFAULT_PORT}), {@code cert-file} and {@code key-file} (PEM; required when enabled),
 * {@code cert-reload-interval} (a duration such as {@code 30s}; {@code 0s} turns reloading off), {@code max-body-bytes}
 * ({@value AdmissionReviews#DEFAULT_MAX_BODY_BYTES}). A server that cannot start (files missing, port taken) fails the
 * application start, so the pod restarts.
 */
@ApplicationScoped
public class AdmissionLifecycle {

  /** Prefix of the webhook's configuration keys. */
  public static final String PREFIX = "cacheplane.operator.admission.";

  @Inject
  MeterRegistry meterRegistry;

  @ConfigProperty(name = PREFIX + "enabled", defaultValue = "false")
  boolean enabled;

  @ConfigProperty(name = PREFIX + "host", defaultValue = "0.0.0.0")
  String host;

  @ConfigProperty(name = PREFIX + "port", defaultValue = "" + AdmissionSettings.DEFAULT_PORT)
  int port;

  @ConfigProperty(name = PREFIX + "cert-file")
  Optional<String> certFile;

  @ConfigProperty(name = PREFIX + "key-file")
  Optional<String> keyFile;

  @ConfigProperty(name = PREFIX + "cert-reload-interval", defaultValue = AdmissionSettings.DEFAULT_RELOAD_SECONDS + "s")
  String reloadInterval;

  @ConfigProperty(name = PREFIX + "max-body-bytes", defaultValue = "" + AdmissionReviews.DEFAULT_MAX_BODY_BYTES)
  int maxBodyBytes;

  private volatile AdmissionServer server;

  void onStart(@Observes StartupEvent event) {
    if (!enabled) {
      return;
    }
    server = AdmissionServer.start(settings(host, port, certFile.orElse(""), keyFile.orElse(""), reloadInterval,
        maxBodyBytes), meterRegistry);
  }

  void onStop(@Observes ShutdownEvent event) {
    AdmissionServer running = server;
    if (running != null) {
      running.close();
    }
  }

  /**
   * The settings from configuration values.
   *
   * @throws IllegalArgumentException when a file is not set, the interval does not parse or a value is out of range
   */
  static AdmissionSettings settings(String host, int port, String certFile, String keyFile, String reloadInterval,
      int maxBodyBytes) {
    if (certFile.isBlank() || keyFile.isBlank()) {
      throw new IllegalArgumentException(PREFIX + "cert-file and " + PREFIX + "key-file must be set when "
          + PREFIX + "enabled is true");
    }
    String interval = reloadInterval.trim();
    Duration reload = interval.matches("0+[a-z]*") ? Duration.ZERO : Strategy.parse(interval);
    return new AdmissionSettings(host.trim(), port, Path.of(certFile.trim()), Path.of(keyFile.trim()), maxBodyBytes,
        reload);
  }
}
