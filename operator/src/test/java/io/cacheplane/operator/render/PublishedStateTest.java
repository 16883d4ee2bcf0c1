package io.cacheplane.operator.render;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PublishedStateTest {

  static Stream<Arguments> rows() {
    return Stream.of(
        Arguments.of("no ConfigMap", null, null, null),
        Arguments.of("no data", "", null, null),
        Arguments.of("not YAML", "{{{", null, null),
        Arguments.of("a scalar", "hello", null, null),
        Arguments.of("duplicate keys", "sequence: 1\nsequence: 2\n", null, null),
        Arguments.of("sequence and revision", "sequence: 12\nstable:\n  revision: abcd\n", 12L, "abcd"),
        Arguments.of("hand-edited, no revision", "sequence: 40\n", 40L, null),
        Arguments.of("sequence as text", "sequence: \"7\"\n", null, null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void readsWhatWasPublishedLeniently(String row, String yaml, Long sequence, String revision) {
    ConfigMap cm = yaml == null ? null : yaml.isEmpty() ? new ConfigMap()
        : new ConfigMapBuilder().addToData("envelope.yaml", yaml).build();
    assertThat(PublishedState.of(cm)).extracting(PublishedState::sequence, PublishedState::stableRevision)
        .containsExactly(sequence, revision);
  }
}
