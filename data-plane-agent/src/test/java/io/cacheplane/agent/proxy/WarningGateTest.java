package io.cacheplane.agent.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class WarningGateTest {

  @Test
  void oncePerPeriodAndSubject() {
    AtomicLong now = new AtomicLong(1_000);
    WarningGate gate = new WarningGate(100, now::get);
    assertThat(gate.open("a")).isTrue();
    assertThat(gate.open("a")).isFalse();
    assertThat(gate.open("b")).as("another subject").isTrue();
    now.addAndGet(99);
    assertThat(gate.open("a")).isFalse();
    now.addAndGet(1);
    assertThat(gate.open("a")).as("a period later").isTrue();
    assertThat(gate.open("a")).isFalse();
  }
}
