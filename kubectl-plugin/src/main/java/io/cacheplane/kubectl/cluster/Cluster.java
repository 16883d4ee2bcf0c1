package io.cacheplane.kubectl.cluster;

import io.cacheplane.api.v1alpha1.PolicySpec;
import io.cacheplane.api.v1alpha1.PolicyStatus;
import io.cacheplane.kubectl.CliException;
import io.cacheplane.kubectl.ExitCodes;
import io.cacheplane.kubectl.text.Text;
import io.fabric8.kubernetes.api.model.NamedContext;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The connection to the API server, configured like kubectl: the kubeconfig from {@code --kubeconfig}, else
 * {@code KUBECONFIG} (several files allowed), else {@code ~/.kube/config}, else the pod's ServiceAccount (fabric8's
 * {@link Config#autoConfigure}); its current context unless {@code --context}; the context's namespace unless
 * {@code --namespace}, else {@code default}. Requests are not retried (a CLI should fail fast): connect timeout
 * {@value #CONNECT_TIMEOUT_MS} ms, request timeout {@value #REQUEST_TIMEOUT_MS} ms.
 */
public final class Cluster implements AutoCloseable {

  /** Connect timeout, in milliseconds. */
  public static final int CONNECT_TIMEOUT_MS = 10_000;
  /** Request timeout, in milliseconds. */
  public static final int REQUEST_TIMEOUT_MS = 30_000;

  /** Longest namespace name (a DNS-1123 label). */
  public static final int MAX_NAMESPACE = 63;
  private static final Pattern DNS_1123_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

  private final KubernetesClient client;
  private final String namespace;
  private final String server;

  private Cluster(KubernetesClient client, String namespace, String server) {
    this.client = client;
    this.namespace = namespace;
    this.server = server;
  }

  /**
   * Reads the configuration and builds a client (no request is made yet).
   *
   * @param kubeconfig {@code --kubeconfig}, or {@code null}
   * @param context {@code --context}, or {@code null} for the current context
   * @param namespace {@code --namespace}, or {@code null}
   * @throws CliException exit {@link ExitCodes#USAGE} for a malformed namespace; exit {@link ExitCodes#ERROR} when the
   *     kubeconfig file is missing or unreadable, or has no such context
   */
  public static Cluster connect(String kubeconfig, String context, String namespace) throws CliException {
    if (namespace != null && (namespace.length() > MAX_NAMESPACE || !DNS_1123_LABEL.matcher(namespace).matches())) {
      throw new CliException(ExitCodes.USAGE, "\"" + Text.safe(namespace, 80) + "\" is not a namespace name: at most "
          + MAX_NAMESPACE + " lower-case letters, digits and '-', starting and ending with a letter or digit");
    }
    Config config;
    try {
      if (kubeconfig != null) {
        Path file = Path.of(kubeconfig);
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
          throw new CliException(ExitCodes.ERROR, "the kubeconfig " + Text.safe(kubeconfig, 500)
              + " does not exist or cannot be read");
        }
        config = Config.fromKubeconfig(context, new File(kubeconfig));
      } else {
        config = Config.autoConfigure(context);
      }
    } catch (KubernetesClientException | IllegalArgumentException e) {
      throw new CliException(ExitCodes.ERROR, "cannot read the kubeconfig: " + Text.safe(e.getMessage()));
    }
    if (context != null) {
      List<NamedContext> contexts = config.getContexts() == null ? List.of() : config.getContexts();
      if (contexts.stream().noneMatch(c -> context.equals(c.getName()))) {
        throw new CliException(ExitCodes.ERROR, "context \"" + Text.safe(context, 253) + "\" not found in the"
            + " kubeconfig" + (kubeconfig != null ? " " + Text.safe(kubeconfig, 500) : "") + "; contexts: "
            + (contexts.isEmpty() ? "none" : String.join(", ", contexts.stream().map(NamedContext::getName).toList())));
      }
    }
    config.setRequestRetryBackoffLimit(0);
    config.setConnectionTimeout(CONNECT_TIMEOUT_MS);
    config.setRequestTimeout(REQUEST_TIMEOUT_MS);
    String ns = namespace != null ? namespace : config.getNamespace() != null ? config.getNamespace() : "default";
    String server = config.getMasterUrl();
    if (config.getContexts() == null || config.getContexts().isEmpty()) {
      server = server + " (no kubeconfig found: set KUBECONFIG or --kubeconfig)";
    }
    return new Cluster(new KubernetesClientBuilder().withConfig(config).build(), ns, server);
  }

  /** The fabric8 client (owned by this object). */
  public KubernetesClient client() {
    return client;
  }

  /** The namespace the command works in. */
  public String namespace() {
    return namespace;
  }

  /**
   * Runs one API call and translates its failure ({@link ApiErrors#translate}).
   *
   * @param request what is asked, to name it in an error
   */
  public <T> T call(ApiErrors.Request request, Supplier<T> call) throws CliException {
    try {
      return call.get();
    } catch (KubernetesClientException e) {
      throw ApiErrors.translate(e, request, server);
    }
  }

  /**
   * Reads a policy.
   *
   * @throws CliException exit {@link ExitCodes#NOT_FOUND} when it does not exist, else as {@link #call}
   */
  public PolicySnapshot policy(PolicyRef ref) throws CliException {
    CustomResource<? extends PolicySpec, PolicyStatus> cr = call(
        new ApiErrors.Request("get", ref.kind().resource(), namespace, ref.toString()),
        () -> client.resources(ref.kind().type()).inNamespace(namespace).withName(ref.name()).get());
    if (cr == null) {
      throw ApiErrors.notFound(ref.toString(), namespace);
    }
    return new PolicySnapshot(ref, namespace, cr.getMetadata().getUid(), cr.getMetadata().getGeneration(),
        cr.getMetadata().getAnnotations(), cr.getSpec(), cr.getStatus(), cr.getMetadata().getResourceVersion());
  }

  @Override
  public void close() {
    client.close();
  }
}
