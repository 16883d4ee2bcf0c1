package io.cacheplane.agent.shell;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PodLabelsTest {

  @Test
  void parsesTheDownwardApiFormat() {
    String file = "app.kubernetes.io/name=\"cacheplane-agent\"\n"
        + "pod-template-hash=\"5d8f7c9b4\"\n"
        + "\n"
        + "quoted=\"say \\\"hi\\\" \\\\ there\"\n"
        + "tier=\"edge\"";
    assertThat(PodLabels.parse(file)).containsExactlyInAnyOrderEntriesOf(Map.of(
        "app.kubernetes.io/name", "cacheplane-agent",
        "pod-template-hash", "5d8f7c9b4",
        "quoted", "say \"hi\" \\ there",
        "tier", "edge"));
  }

  @Test
  void missingFileMeansNoLabels(@TempDir Path dir) throws Exception {
    assertThat(PodLabels.read(dir.resolve("labels"))).isEmpty();
    Path f = Files.writeString(dir.resolve("present"), "a=\"b\"\n");
    assertThat(PodLabels.read(f)).containsEntry("a", "b");
  }
}
