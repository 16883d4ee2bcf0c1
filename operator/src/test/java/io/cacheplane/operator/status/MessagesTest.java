package io.cacheplane.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class MessagesTest {

  @Test
  void joinsEveryItemWhenShort() {
    assertThat(Messages.joinBounded("invalid: ", List.of("spec.a: x", "spec.b: y"))).isEqualTo("invalid: spec.a: x; spec.b: y");
  }

  @Test
  void boundsLongListsAndSaysHowManyWereLeftOut() {
    List<String> items = IntStream.range(0, 200).mapToObj(i -> "spec.routes[" + i + "].name: is required").toList();
    String message = Messages.joinBounded("invalid: ", items);
    assertThat(message).hasSizeLessThanOrEqualTo(Messages.MAX_LENGTH).startsWith("invalid: spec.routes[0].name")
        .containsPattern("; \\.\\.\\. and \\d+ more$");
  }

  @Test
  void boundsASingleHugeItem() {
    String message = Messages.joinBounded("p: ", List.of("x".repeat(5000)));
    assertThat(message).hasSize(Messages.MAX_LENGTH).endsWith("...");
  }
}
