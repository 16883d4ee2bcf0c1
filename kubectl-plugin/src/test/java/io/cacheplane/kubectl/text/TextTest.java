package io.cacheplane.kubectl.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TextTest {

  static Stream<Arguments> safe() {
    return Stream.of(
        Arguments.of("null", null, 10, "-"),
        Arguments.of("plain", "abc", 10, "abc"),
        Arguments.of("escape sequence", "a\u001b[2Jb", 10, "a?[2Jb"),
        Arguments.of("newline and tab", "a\nb\tc", 10, "a?b?c"),
        Arguments.of("DEL and C1", "a\u007fb\u009bc", 10, "a?b?c"),
        Arguments.of("unicode kept", "größe ✓", 10, "größe ✓"),
        Arguments.of("exactly the bound", "abcde", 5, "abcde"),
        Arguments.of("cut", "abcdef", 5, "abcd…"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("safe")
  void safeRemovesControlCharactersAndBoundsLength(String what, String in, int max, String out) {
    assertThat(Text.safe(in, max)).isEqualTo(out);
  }

  static Stream<Arguments> durations() {
    return Stream.of(
        Arguments.of(Duration.ZERO, "0s", "0s"),
        Arguments.of(Duration.ofMillis(1999), "1s", "1s"),
        Arguments.of(Duration.ofSeconds(45), "45s", "45s"),
        Arguments.of(Duration.ofSeconds(90), "1m30s", "90s"),
        Arguments.of(Duration.ofMinutes(10), "10m0s", "10m"),
        Arguments.of(Duration.ofSeconds(7205), "2h0m5s", "2h"),
        Arguments.of(Duration.ofDays(3), "72h0m0s", "3d"),
        Arguments.of(Duration.ofSeconds(-5), "0s", "0s"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("durations")
  void durationAndAge(Duration d, String duration, String age) {
    assertThat(Text.duration(d)).isEqualTo(duration);
    assertThat(Text.age(d)).isEqualTo(age);
  }

  static Stream<Arguments> bars() {
    return Stream.of(
        Arguments.of(0L, 10L, "[--------------------]   0%"),
        Arguments.of(5L, 10L, "[##########----------]  50%"),
        Arguments.of(1L, 3L, "[######--------------]  33%"),
        Arguments.of(9_999L, 10_000L, "[###################-]  99%"),
        Arguments.of(10L, 10L, "[####################] 100%"),
        Arguments.of(11L, 10L, "[####################] 100%"),
        Arguments.of(-1L, 10L, "[--------------------]   0%"),
        Arguments.of(3L, 0L, "[--------------------]   0%"),
        Arguments.of(Long.MAX_VALUE / 2, Long.MAX_VALUE, "[##########----------]  50%"),
        Arguments.of(Long.MAX_VALUE, Long.MAX_VALUE, "[####################] 100%"));
  }

  @ParameterizedTest(name = "{0}/{1}")
  @MethodSource("bars")
  void progressBarFillsInProportionAndClamps(long done, long total, String bar) {
    assertThat(ProgressBar.of(done, total)).isEqualTo(bar);
  }

  @Test
  void tablePadsColumnsAndTrimsTrailingSpace() {
    assertThat(Table.lines(List.of("AGENT", "STATE"), List.of(List.of("a-long-name", "Applied"),
        java.util.Arrays.asList("b", null)))).containsExactly(
            "AGENT         STATE",
            "a-long-name   Applied",
            "b             -");
  }
}
