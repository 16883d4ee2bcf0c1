package io.cacheplane.api.validation;

import io.cacheplane.api.v1alpha1.Durations;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.text.ParseException;
import java.time.Duration;

/** Parsing of the CRDs' value syntaxes, shared by validation and the agent. */
public final class Values {

  private static final java.util.regex.Pattern DURATION = java.util.regex.Pattern.compile(Durations.PATTERN);

  private Values() {}

  /**
   * Parses a Go/Kubernetes duration ({@code 30s}, {@code 5m}, {@code 1h30m}, {@code 250ms}) with fabric8's
   * {@link io.fabric8.kubernetes.api.model.Duration}.
   *
   * @throws IllegalArgumentException when the text is not a duration
   */
  public static Duration duration(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("must be a duration such as 30s, 5m or 1h30m, got a blank string");
    }
    if (!DURATION.matcher(text).matches()) {
      throw new IllegalArgumentException("must be a duration such as 30s, 5m or 1h30m, got \"" + abbreviate(text) + "\"");
    }
    try {
      return io.fabric8.kubernetes.api.model.Duration.parse(text).getDuration();
    } catch (ParseException | RuntimeException e) {
      throw new IllegalArgumentException("must be a duration such as 30s, 5m or 1h30m, got \"" + abbreviate(text) + "\"");
    }
  }

  /**
   * Parses a byte quantity ({@code 256Ki}, {@code 64Mi}, {@code 1000}) with fabric8's {@link Quantity}.
   *
   * @return whole bytes
   * @throws IllegalArgumentException when the value is not a quantity, is negative, not whole, or over 2^63-1
   */
  public static long bytes(IntOrString value) {
    if (value == null) {
      throw new IllegalArgumentException("must be a quantity of bytes such as 256Ki");
    }
    String text = value.getIntVal() != null ? value.getIntVal().toString() : value.getStrVal();
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("must be a quantity of bytes such as 256Ki, got a blank string");
    }
    BigDecimal amount;
    try {
      amount = Quantity.getAmountInBytes(Quantity.parse(text.trim()));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("must be a quantity of bytes such as 256Ki or 64Mi, got \"" + abbreviate(text) + "\"");
    }
    if (amount.signum() < 0) {
      throw new IllegalArgumentException("must not be negative, got " + text);
    }
    try {
      return amount.longValueExact();
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("must be a whole number of bytes below 2^63, got " + abbreviate(text));
    }
  }

  /**
   * A user-supplied value as it may appear in a message: at most 64 characters, and every control character (C0, DEL,
   * C1, line and paragraph separators) written as a Java escape (backslash-n, backslash-u001b), so a message never
   * carries a raw newline, NUL or terminal escape sequence into logs, status or a terminal.
   */
  static String abbreviate(String text) {
    String shown = text.length() <= 64 ? text : text.substring(0, 61) + "...";
    StringBuilder out = new StringBuilder(shown.length());
    shown.codePoints().forEach(cp -> {
      if (cp == '\n') {
        out.append("\\n");
      } else if (cp == '\r') {
        out.append("\\r");
      } else if (cp == '\t') {
        out.append("\\t");
      } else if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || cp == 0x2028 || cp == 0x2029) {
        out.append(String.format("\\u%04x", cp));
      } else {
        out.appendCodePoint(cp);
      }
    });
    return out.toString();
  }
}
