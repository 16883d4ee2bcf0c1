package io.cacheplane.agent.proxy;

import io.vertx.core.net.TrustOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The certificate authorities trusted for https upstreams: the JVM's default trust store plus the certificates of a
 * PEM bundle (e.g. a cluster's private CA, mounted from a Secret or ConfigMap). Hostname verification stays on
 * ({@link UpstreamClient}).
 */
public final class UpstreamTrust {

  private UpstreamTrust() {}

  /**
   * @param pemBundle a file of one or more PEM {@code CERTIFICATE} blocks; {@code null}: the JVM defaults only
   * @return trust options for the upstream client, or {@code null} for the JVM defaults
   * @throws IllegalArgumentException when the file cannot be read or holds no certificate (the message names the
   *     file; the agent then refuses to start rather than serve https upstreams with a trust it was not given)
   */
  public static TrustOptions load(Path pemBundle) {
    if (pemBundle == null) {
      return null;
    }
    Collection<? extends Certificate> extra;
    try (InputStream in = Files.newInputStream(pemBundle)) {
      extra = CertificateFactory.getInstance("X.509").generateCertificates(in);
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot read the upstream CA bundle " + pemBundle + ": " + e.getMessage(), e);
    }
    if (extra.isEmpty()) {
      throw new IllegalArgumentException("the upstream CA bundle " + pemBundle + " holds no PEM certificate");
    }
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int i = 0;
      for (X509Certificate ca : jvmDefaults().getAcceptedIssuers()) {
        store.setCertificateEntry("jvm-" + i++, ca);
      }
      i = 0;
      for (Certificate ca : extra) {
        store.setCertificateEntry("bundle-" + i++, ca);
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(store);
      return TrustOptions.wrap(tmf);
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot build the upstream trust store: " + e.getMessage(), e);
    }
  }

  private static X509TrustManager jvmDefaults() throws GeneralSecurityException {
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init((KeyStore) null);
    for (TrustManager tm : tmf.getTrustManagers()) {
      if (tm instanceof X509TrustManager x) {
        return x;
      }
    }
    throw new GeneralSecurityException("the JVM has no X.509 trust manager");
  }
}
