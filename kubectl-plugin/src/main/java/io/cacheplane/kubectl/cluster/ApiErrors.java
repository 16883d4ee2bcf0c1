package io.cacheplane.kubectl.cluster;

import io.cacheplane.kubectl.CliException;
import io.cacheplane.kubectl.ExitCodes;
import io.cacheplane.kubectl.text.Text;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;

/** Turns the API server's refusals and transport failures into messages a user can act on, with an exit code. */
public final class ApiErrors {

  private ApiErrors() {}

  /**
   * What the plugin asked for, to name it in an error.
   *
   * @param verb the RBAC verb, e.g. {@code get}, {@code list}, {@code patch}
   * @param resource the resource with its group, e.g. {@code cachepolicies.cacheplane.io}, {@code leases} (core and
   *     coordination resources by plural, as {@code kubectl auth can-i} takes them)
   * @param namespace the namespace
   * @param what the object for a not-found message, e.g. {@code cachepolicy/product-pages}; {@code null} for a list
   */
  public record Request(String verb, String resource, String namespace, String what) {}

  /**
   * The error for a failed call.
   *
   * @param e what fabric8 threw
   * @param request what was asked
   * @param server the API server URL (for "cannot reach")
   * @return exit {@link ExitCodes#NOT_FOUND} (404), {@link ExitCodes#FORBIDDEN} (403), {@link ExitCodes#USAGE} (400,
   *     a malformed request such as a bad label selector), else {@link ExitCodes#ERROR}
   */
  public static CliException translate(KubernetesClientException e, Request request, String server) {
    int code = e.getCode();
    String said = serverMessage(e);
    String ns = "namespace \"" + Text.safe(request.namespace(), 253) + "\"";
    if (code == 404) {
      if (request.what() != null) {
        return notFound(request.what(), request.namespace());
      }
      return new CliException(ExitCodes.NOT_FOUND, "the API server has no resource " + request.resource() + " in "
          + ns + (request.resource().endsWith(".cacheplane.io")
              ? ": are the Cacheplane CRDs installed? (kubectl apply -f crds/)" : ""));
    }
    if (code == 403) {
      return new CliException(ExitCodes.FORBIDDEN, "forbidden: you may not " + request.verb() + " "
          + request.resource() + " in " + ns + " (check with: kubectl auth can-i " + request.verb() + " "
          + request.resource() + " -n " + Text.safe(request.namespace(), 253) + ")"
          + (said.isEmpty() ? "" : "\nthe API server said: " + said));
    }
    if (code == 401) {
      return new CliException(ExitCodes.ERROR, "unauthorized: the API server at " + server + " refused the"
          + " credentials of the current context (expired or revoked token?)"
          + (said.isEmpty() ? "" : "\nthe API server said: " + said));
    }
    if (code == 400) {
      return new CliException(ExitCodes.USAGE, "the API server refused the request to " + request.verb() + " "
          + request.resource() + ": " + (said.isEmpty() ? Text.safe(e.getMessage()) : said));
    }
    if (code <= 0) {
      IOException io = ioCause(e);
      String why = io == null ? Text.safe(e.getMessage()) : io.getClass().getSimpleName()
          + (io.getMessage() == null ? "" : ": " + Text.safe(io.getMessage()));
      return new CliException(ExitCodes.ERROR, "cannot reach the Kubernetes API server at " + server + ": " + why
          + "\n(is the cluster up, and are the current context or --context, --kubeconfig right?)");
    }
    return new CliException(ExitCodes.ERROR, request.verb() + " " + request.resource() + " in " + ns + " failed: HTTP "
        + code + (said.isEmpty() ? "" : ": " + said));
  }

  /** {@code <what> not found in namespace "<ns>"}, exit {@link ExitCodes#NOT_FOUND}. */
  public static CliException notFound(String what, String namespace) {
    return new CliException(ExitCodes.NOT_FOUND, what + " not found in namespace \"" + Text.safe(namespace, 253)
        + "\"");
  }

  private static String serverMessage(KubernetesClientException e) {
    Status s = e.getStatus();
    return s == null || s.getMessage() == null ? "" : Text.safe(s.getMessage(), 1000);
  }

  private static IOException ioCause(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof IOException io) {
        return io;
      }
    }
    return null;
  }
}
