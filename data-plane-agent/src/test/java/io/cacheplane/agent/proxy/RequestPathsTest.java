package io.cacheplane.agent.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RequestPathsTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', value = {
      "/|/",
      "/a/b|/a/b",
      "/a/b/|/a/b/",
      "/a.b/c|/a.b/c",
      "/a..b|/a..b",
      "/.well-known/acme|/.well-known/acme",
      "/%2ewell-known|/.well-known",
      "/...|/...",
      "/a/.../b|/a/.../b",
      "/a/..b/c|/a/..b/c",
      "/a/b..|/a/b..",
      "/%7Euser/%41%62c|/~user/Abc",
      "/a-b_c~d.e|/a-b_c~d.e",
      "/a%20b|/a%20b",
      "/a%3Fb%3fc|/a%3Fb%3fc",
      "/a%25%32%65|/a%252e",
      "/caf%C3%A9|/caf%C3%A9",
      "/a//b|/a//b",
      "/a;x=1/b|/a;x=1/b",
  })
  void acceptedPaths(String raw, String normalised) {
    assertThat(RequestPaths.normalize(raw)).isEqualTo(normalised);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "/a/../b|dot segments",
      "/a/./b|dot segments",
      "/a/..|dot segments",
      "/a/.|dot segments",
      "/..|dot segments",
      "/.|dot segments",
      "/a/%2e%2e/b|dot segments",
      "/a/%2E./b|dot segments",
      "/a/.%2e|dot segments",
      "/a/%2e/b|dot segments",
      "/a/..;jsessionid=x/b|dot segments",
      "/a/.;/b|dot segments",
      "/a%2fb|encoded slash",
      "/a%2Fb|encoded slash",
      "/a%5cb|encoded slash",
      "/a%5C..%5Cb|encoded slash",
      "/a\\b|backslash",
      "/a%00|control characters",
      "/a%0d%0aX: y|control characters",
      "/a%7F|control characters",
      "/a%|malformed percent-encoding",
      "/a%2|malformed percent-encoding",
      "/a%zz|malformed percent-encoding",
      "a/b|absolute path",
      "''|absolute path",
  })
  void rejectedPaths(String raw, String reason) {
    assertThatThrownBy(() -> RequestPaths.normalize(raw))
        .isInstanceOf(RequestPaths.RejectedPathException.class)
        .hasMessageContaining(reason);
  }

  @ParameterizedTest(name = "control character {0}")
  @CsvSource({"0", "9", "10", "13", "31", "127"})
  void literalControlCharactersAreRejected(int code) {
    assertThatThrownBy(() -> RequestPaths.normalize("/a" + (char) code + "b"))
        .isInstanceOf(RequestPaths.RejectedPathException.class)
        .hasMessageContaining("control characters");
  }

  @Test
  void nullIsRejected() {
    assertThatThrownBy(() -> RequestPaths.normalize(null)).isInstanceOf(RequestPaths.RejectedPathException.class);
  }
}
