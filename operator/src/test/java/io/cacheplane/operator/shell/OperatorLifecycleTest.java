package io.cacheplane.operator.shell;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OperatorLifecycleTest {

  @Test
  void parsesTheCommaListOfNamespaces() {
    assertThat(OperatorLifecycle.parseNamespaces("")).isEmpty();
    assertThat(OperatorLifecycle.parseNamespaces(" , ")).isEmpty();
    assertThat(OperatorLifecycle.parseNamespaces("shop, edge,,shop")).containsExactlyInAnyOrder("shop", "edge");
  }
}
