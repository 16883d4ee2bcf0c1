package io.cacheplane.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The committed CRDs in crds/ are exactly what the build generates from the Java types. */
class CrdDriftTest {

  @ParameterizedTest
  @ValueSource(strings = {"cachepolicies", "routepolicies"})
  void committedCrdMatchesGenerated(String plural) throws IOException {
    Path generated = Path.of("target/classes/META-INF/fabric8", plural + ".cacheplane.io-v1.yml");
    Path committed = Path.of("..", "crds", plural + ".cacheplane.io.yaml");
    assertThat(generated).exists();
    assertThat(Files.readString(committed))
        .as("crds/%s.cacheplane.io.yaml is stale: run scripts/update-crds.sh and commit the result", plural)
        .isEqualTo(normalized(Files.readString(generated)));
  }

  /** What scripts/update-crds.sh writes: the generator's output without {@code priority: 0} (the server's default). */
  static String normalized(String generated) {
    return generated.lines().filter(line -> !line.matches("\\s+priority: 0"))
        .collect(java.util.stream.Collectors.joining("\n", "", "\n"));
  }
}
