package io.cacheplane.agent.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Rows from the Gateway API's HTTPPathModifier table, with this project's /shop → /v2 example. */
class PathRewriteTest {

  @ParameterizedTest(name = "{0} with {1} → {2}: {3}")
  @CsvSource({
      "/shop/cart, /shop, /v2, /v2/cart",
      "/shop, /shop, /v2, /v2",
      "/shop/, /shop, /v2, /v2/",
      "/shop/cart, /shop, /v2/, /v2/cart",
      "/shop/cart, /shop/, /v2, /v2/cart",
      "/shop/cart, /shop/, /v2/, /v2/cart",
      "/shop/cart, /shop, /, /cart",
      "/shop, /shop, /, /",
      "/shop/, /shop, /, /",
      "/shop/a/b;c, /shop, /v2/x, /v2/x/a/b;c",
      "/anything, /, /v2, /v2/anything",
      "/, /, /v2, /v2/"})
  void replacesTheMatchedPrefix(String path, String prefix, String replacement, String expected) {
    assertThat(PathRewrite.replacePrefix(path, prefix, replacement)).isEqualTo(expected);
  }

  @Test
  void aPathOutsideThePrefixIsAnError() {
    assertThatThrownBy(() -> PathRewrite.replacePrefix("/other", "/shop", "/v2"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
