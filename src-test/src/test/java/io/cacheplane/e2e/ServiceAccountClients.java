package io.cacheplane.e2e;

import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

/**
 * fabric8 clients authenticated as a ServiceAccount of the local control plane, as a pod of that ServiceAccount
 * would be: a bound token from the TokenRequest API ({@code serviceaccounts/<name>/token}, GA in 1.20; the apiserver
 * has {@code --service-account-issuer} and a signing key) and the cluster CA of the admin kubeconfig. Nothing is taken
 * from the environment ({@code ~/.kube/config}, {@code KUBERNETES_*}), so the client has exactly the ServiceAccount's
 * RBAC permissions: use it to run the operator or an agent in-process under the chart's Roles.
 */
public final class ServiceAccountClients {

  /** Lifetime asked for the token; longer than any test class (the client never refreshes it). */
  static final long TOKEN_SECONDS = 3600;

  private ServiceAccountClients() {
  }

  /**
   * A new client (the caller closes it) acting as {@code system:serviceaccount:<namespace>:<name>}.
   *
   * @param userAgent the client's User-Agent; the apiserver names non-apply field managers after it (the part before
   *     the first {@code /}), so {@code managedFields} show who wrote what
   */
  public static KubernetesClient client(LocalControlPlane k8s, String namespace, String name, String userAgent) {
    return new KubernetesClientBuilder().withConfig(config(k8s, namespace, name, userAgent)).build();
  }

  /** The client configuration of {@link #client}; its default namespace is {@code namespace}. */
  public static Config config(LocalControlPlane k8s, String namespace, String name, String userAgent) {
    Config admin = k8s.client().getConfiguration();
    return new ConfigBuilder(Config.empty())
        .withMasterUrl(admin.getMasterUrl())
        .withCaCertData(admin.getCaCertData())
        .withOauthToken(token(k8s, namespace, name))
        .withNamespace(namespace)
        .withUserAgent(userAgent)
        .build();
  }

  /** A bound token of ServiceAccount {@code namespace/name} (asked by the admin). */
  public static String token(LocalControlPlane k8s, String namespace, String name) {
    TokenRequest request = new TokenRequestBuilder().withNewSpec().withExpirationSeconds(TOKEN_SECONDS).endSpec()
        .build();
    TokenRequest issued = k8s.client().serviceAccounts().inNamespace(namespace).withName(name).tokenRequest(request);
    String token = issued == null || issued.getStatus() == null ? null : issued.getStatus().getToken();
    if (token == null || token.isBlank()) {
      throw new IllegalStateException("the TokenRequest API returned no token for ServiceAccount " + namespace + "/"
          + name + ": " + issued);
    }
    return token;
  }
}
