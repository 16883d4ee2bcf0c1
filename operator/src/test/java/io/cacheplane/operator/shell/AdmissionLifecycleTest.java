package io.cacheplane.operator.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cacheplane.operator.admission.AdmissionSettings;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class AdmissionLifecycleTest {

  @Test
  void settingsComeFromConfiguration() {
    AdmissionSettings s = AdmissionLifecycle.settings("0.0.0.0", 9443, "/tls/tls.crt", " /tls/tls.key ", "1m", 1024);
    assertThat(s.certFile()).isEqualTo(Path.of("/tls/tls.crt"));
    assertThat(s.keyFile()).isEqualTo(Path.of("/tls/tls.key"));
    assertThat(s.certReloadInterval()).isEqualTo(Duration.ofMinutes(1));
    assertThat(s.maxBodyBytes()).isEqualTo(1024);
    assertThat(AdmissionLifecycle.settings("h", 1, "c", "k", "0s", 1).certReloadInterval()).isZero();
  }

  @Test
  void refusesAnEnabledWebhookWithoutCertificateFiles() {
    assertThatThrownBy(() -> AdmissionLifecycle.settings("0.0.0.0", 9443, "", "/k", "30s", 1024))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cert-file");
    assertThatThrownBy(() -> AdmissionLifecycle.settings("0.0.0.0", 70000, "/c", "/k", "30s", 1024))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("port");
  }
}
