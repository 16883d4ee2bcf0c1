package io.cacheplane.kubectl.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.cacheplane.kubectl.CliException;
import io.cacheplane.kubectl.ExitCodes;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.net.ConnectException;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ApiErrorsTest {

  private static final ApiErrors.Request PATCH = new ApiErrors.Request("patch", "cachepolicies.cacheplane.io", "shop",
      "cachepolicy/pages");
  private static final ApiErrors.Request LIST = new ApiErrors.Request("list", "leases.coordination.k8s.io", "shop",
      null);
  private static final ApiErrors.Request LIST_POLICIES = new ApiErrors.Request("list", "cachepolicies.cacheplane.io",
      "shop", null);

  private static KubernetesClientException http(int code, String message) {
    Status status = new StatusBuilder().withCode(code).withMessage(message).build();
    return new KubernetesClientException(status);
  }

  static Stream<Arguments> rows() {
    return Stream.of(
        Arguments.of("object missing", http(404, "cachepolicies \"pages\" not found"), PATCH, ExitCodes.NOT_FOUND,
            "cachepolicy/pages not found in namespace \"shop\""),
        Arguments.of("CRD missing", http(404, "the server could not find the requested resource"), LIST_POLICIES,
            ExitCodes.NOT_FOUND, "the API server has no resource cachepolicies.cacheplane.io in namespace \"shop\": "
                + "are the Cacheplane CRDs installed? (kubectl apply -f crds/)"),
        Arguments.of("core resource missing", http(404, "x"), LIST, ExitCodes.NOT_FOUND,
            "the API server has no resource leases.coordination.k8s.io in namespace \"shop\""),
        Arguments.of("forbidden", http(403, "cachepolicies.cacheplane.io \"pages\" is forbidden: User"
            + " \"system:serviceaccount:shop:ci\" cannot patch resource \"cachepolicies\""), PATCH, ExitCodes.FORBIDDEN,
            "forbidden: you may not patch cachepolicies.cacheplane.io in namespace \"shop\" (check with: kubectl auth"
                + " can-i patch cachepolicies.cacheplane.io -n shop)\nthe API server said: cachepolicies.cacheplane.io"
                + " \"pages\" is forbidden: User \"system:serviceaccount:shop:ci\" cannot patch resource"
                + " \"cachepolicies\""),
        Arguments.of("unauthorized", http(401, "Unauthorized"), PATCH, ExitCodes.ERROR,
            "unauthorized: the API server at https://k8s:6443/ refused the credentials of the current context"),
        Arguments.of("bad selector", http(400, "unable to parse requirement: found '(', expected: identifier"), LIST,
            ExitCodes.USAGE, "the API server refused the request to list leases.coordination.k8s.io: unable to parse"
                + " requirement"),
        Arguments.of("server error", http(500, "etcdserver: leader changed"), PATCH, ExitCodes.ERROR,
            "patch cachepolicies.cacheplane.io in namespace \"shop\" failed: HTTP 500: etcdserver: leader changed"),
        Arguments.of("connection refused", new KubernetesClientException("Operation failed",
            new IOException("wrapped", new ConnectException("Connection refused"))), PATCH, ExitCodes.ERROR,
            "cannot reach the Kubernetes API server at https://k8s:6443/: IOException: wrapped\n(is the cluster up,"),
        Arguments.of("no cause", new KubernetesClientException("boom"), PATCH, ExitCodes.ERROR,
            "cannot reach the Kubernetes API server at https://k8s:6443/: boom"),
        Arguments.of("hostile server message", http(403, "no\u001b[2J"), PATCH, ExitCodes.FORBIDDEN,
            "the API server said: no?[2J"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void translatesWithAnExitCodeAndAnActionableMessage(String what, KubernetesClientException e,
      ApiErrors.Request request, int exitCode, String message) {
    CliException c = ApiErrors.translate(e, request, "https://k8s:6443/");
    assertThat(c.exitCode()).isEqualTo(exitCode);
    assertThat(c.getMessage()).contains(message);
  }
}
