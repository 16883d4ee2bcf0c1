package io.cacheplane.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** Local mode's command line refuses bad options before starting anything, and prints nothing a terminal obeys. */
class LocalModeTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "--agents=0|Invalid value for option '--agents': 0 (give 1 to 100)",
      "--agents=101|Invalid value for option '--agents': 101 (give 1 to 100)",
      "--agents=two|Invalid value for option '--agents'",
      "--namespace=Shop_1|Invalid value for option '--namespace': \"Shop_1\" is not a DNS-1123 label",
      "--namespace=-shop|is not a DNS-1123 label",
      "--namespace=a234567890123456789012345678901234567890123456789012345678901234|is not a DNS-1123 label",
  })
  void badOptionValuesAreAUsageError(String option, String said) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = LocalMode.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err));

    int exit = cli.execute(option, "--examples=/nonexistent");

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).contains(said).contains("Usage: local-mode")
        .doesNotContain("Exception").doesNotContain("\tat ");
  }

  @Test
  void helpHasNoEscapeCodesWhenNotOnATerminal() {
    StringWriter out = new StringWriter();
    int exit = LocalMode.commandLine().setOut(new PrintWriter(out)).execute("--help");
    assertThat(exit).isZero();
    assertThat(out.toString()).contains("--agents=<agentCount>").doesNotContain("\u001b");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "plain text|cachepolicy/p created (from p.yaml)|cachepolicy/p created (from p.yaml)",
      "NUL|a\\u0000b|a\\u0000b",
      "ESC sequence|\\u001b[2J\\u001b[31mred|\\u001B[2J\\u001B[31mred",
      "line break|one\\ntwo|one\\u000Atwo",
      "carriage return|ok\\rforged|ok\\u000Dforged",
      "C1 control|x\\u009by|x\\u009By",
      "bidi override|\\u202eexe.txt|\\u202Eexe.txt",
      "non-ASCII letters|Größe ✓|Größe ✓",
  })
  void controlCharactersArePrintedEscaped(String name, String input, String printed) {
    assertThat(LocalMode.printable(unescape(input))).isEqualTo(printed);
  }

  /** Turns the row's {@code \\uXXXX}, {@code \\n} and {@code \\r} into the characters. */
  private static String unescape(String text) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\\' && text.charAt(i + 1) == 'u') {
        out.append((char) Integer.parseInt(text.substring(i + 2, i + 6), 16));
        i += 5;
      } else if (c == '\\' && text.charAt(i + 1) == 'n') {
        out.append('\n');
        i++;
      } else if (c == '\\' && text.charAt(i + 1) == 'r') {
        out.append('\r');
        i++;
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
