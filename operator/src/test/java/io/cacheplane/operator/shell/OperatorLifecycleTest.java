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

  @Test
  void defaultRolloutAndTimerDelayComeFromConfiguration() {
    var registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    var defaults = OperatorLifecycle.settings(java.util.Set.of(), "", "", registry);
    assertThat(defaults.defaultStrategy()).isSameAs(io.cacheplane.operator.OperatorSettings.DEFAULT_STRATEGY);
    assertThat(defaults.maxTimerDelay()).isEqualTo(java.time.Duration.ofSeconds(15));

    var custom = OperatorLifecycle.settings(java.util.Set.of("shop"), "{\"steps\": [{\"setWeight\": 100}]}", "5s",
        registry);
    assertThat(custom.defaultStrategy().getSteps()).singleElement()
        .satisfies(step -> assertThat(step.getSetWeight()).isEqualTo(100));
    assertThat(custom.defaultStrategy().getProgressDeadline()).isEqualTo("10m");
    assertThat(custom.maxTimerDelay()).isEqualTo(java.time.Duration.ofSeconds(5));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> OperatorLifecycle.settings(java.util.Set.of(),
        "steps: [{setWeight: 10, pause: {}}]", "", registry)).hasMessageContaining("exactly one of setWeight or pause");
  }

  @Test
  void leaderElectionFromConfigurationWithClientGoDefaults() {
    var defaults = OperatorLifecycle.leaderElection("", "cacheplane-system", "operator-0", "", "", "");
    assertThat(defaults).isEqualTo(io.cacheplane.operator.LeaderElection.of("cacheplane-system", "operator-0"));

    var custom = OperatorLifecycle.leaderElection("cp-lock", "ops", "operator-1", "30s", "20s", "4s");
    assertThat(custom.leaseName()).isEqualTo("cp-lock");
    assertThat(custom.leaseDuration()).isEqualTo(java.time.Duration.ofSeconds(30));
    assertThat(custom.renewDeadline()).isEqualTo(java.time.Duration.ofSeconds(20));
    assertThat(custom.retryPeriod()).isEqualTo(java.time.Duration.ofSeconds(4));

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> OperatorLifecycle.leaderElection("", "", "operator-0",
        "", "", "")).hasMessageContaining("POD_NAMESPACE");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> OperatorLifecycle.leaderElection("", "ops", "operator-0",
        "soon", "", "")).hasMessageContaining("not a duration: soon");
  }
}
