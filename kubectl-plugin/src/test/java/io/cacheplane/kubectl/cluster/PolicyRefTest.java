package io.cacheplane.kubectl.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PolicyRefTest {

  static Stream<Arguments> valid() {
    return Stream.of(
        Arguments.of("singular", "cachepolicy/product-pages", PolicyKind.CACHE_POLICY, "product-pages"),
        Arguments.of("plural", "cachepolicies/a", PolicyKind.CACHE_POLICY, "a"),
        Arguments.of("CRD short name", "cachepol/a", PolicyKind.CACHE_POLICY, "a"),
        Arguments.of("plugin short name", "cp/a", PolicyKind.CACHE_POLICY, "a"),
        Arguments.of("Kind spelling", "CachePolicy/a", PolicyKind.CACHE_POLICY, "a"),
        Arguments.of("with group", "cachepolicies.cacheplane.io/a", PolicyKind.CACHE_POLICY, "a"),
        Arguments.of("route singular", "routepolicy/storefront", PolicyKind.ROUTE_POLICY, "storefront"),
        Arguments.of("route short", "rp/shop.v2", PolicyKind.ROUTE_POLICY, "shop.v2"),
        Arguments.of("route CRD short", "ROUTEPOL/x1", PolicyKind.ROUTE_POLICY, "x1"),
        Arguments.of("longest name", "cp/" + "a".repeat(253), PolicyKind.CACHE_POLICY, "a".repeat(253)));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("valid")
  void parsesKindAndName(String what, String text, PolicyKind kind, String name) {
    assertThat(PolicyRef.parse(text)).isEqualTo(new PolicyRef(kind, name));
  }

  static Stream<Arguments> invalid() {
    return Stream.of(
        Arguments.of("blank", " ", "expected <kind>/<name>, e.g. cachepolicy/product-pages, got nothing"),
        Arguments.of("no kind", "product-pages", "expected <kind>/<name>, e.g. cachepolicy/product-pages, got"
            + " \"product-pages\" (no kind)"),
        Arguments.of("unknown kind", "deployment/web", "unknown kind \"deployment\" in \"deployment/web\"; kinds:"
            + " cachepolicy|cachepolicies|cachepol|cp, routepolicy|routepolicies|routepol|rp"),
        Arguments.of("empty kind", "/web", "unknown kind \"\""),
        Arguments.of("no name", "cp/", "no name in \"cp/\"; expected cachepolicy/<name>"),
        Arguments.of("upper case", "cp/Web", "\"Web\" is not a valid CachePolicy name"),
        Arguments.of("second slash", "cp/a/b", "\"a/b\" is not a valid CachePolicy name"),
        Arguments.of("leading dash", "rp/-a", "\"-a\" is not a valid RoutePolicy name"),
        Arguments.of("too long", "cp/" + "a".repeat(254), "is not a valid CachePolicy name: at most 253 characters"),
        Arguments.of("control characters are not echoed", "cp/a\u001b[31mred", "\"a?[31mred\" is not a valid"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalid")
  void refusesWithAMessageThatSaysWhatIsExpected(String what, String text, String message) {
    assertThatThrownBy(() -> PolicyRef.parse(text)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }

  @Test
  void aHugeArgumentIsShownCut() {
    assertThatThrownBy(() -> PolicyRef.parse("x".repeat(1_000_000))).hasMessageContaining("…")
        .satisfies(e -> assertThat(e.getMessage().length()).isLessThan(400));
  }

  @Test
  void printsAsKubectlDoes() {
    assertThat(PolicyRef.parse("rp/shop")).hasToString("routepolicy/shop");
    assertThat(PolicyKind.ROUTE_POLICY.resource()).isEqualTo("routepolicies.cacheplane.io");
  }
}
