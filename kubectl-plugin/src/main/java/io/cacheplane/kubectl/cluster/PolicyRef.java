package io.cacheplane.kubectl.cluster;

import io.cacheplane.kubectl.text.Text;
import java.util.Arrays;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A policy named on the command line as kubectl does: {@code <kind>/<name>}, e.g. {@code cachepolicy/product-pages}
 * or {@code rp/storefront}.
 *
 * @param kind the policy kind
 * @param name the object name (a DNS-1123 subdomain: at most 253 characters of {@code a-z 0-9 - .})
 */
public record PolicyRef(PolicyKind kind, String name) {

  /** Longest object name Kubernetes accepts. */
  public static final int MAX_NAME = 253;
  private static final Pattern DNS_1123_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  /**
   * Parses {@code <kind>/<name>}.
   *
   * @throws IllegalArgumentException with a message that says what is wrong and what is expected
   */
  public static PolicyRef parse(String text) {
    String shown = "\"" + Text.safe(text, 80) + "\"";
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("expected <kind>/<name>, e.g. cachepolicy/product-pages, got nothing");
    }
    int slash = text.indexOf('/');
    if (slash < 0) {
      throw new IllegalArgumentException("expected <kind>/<name>, e.g. cachepolicy/" + Text.safe(text, 80)
          + ", got " + shown + " (no kind)");
    }
    String word = text.substring(0, slash);
    String name = text.substring(slash + 1);
    PolicyKind kind = PolicyKind.fromWord(word).orElseThrow(() -> new IllegalArgumentException("unknown kind \""
        + Text.safe(word, 80) + "\" in " + shown + "; kinds: " + kinds()));
    if (name.isEmpty()) {
      throw new IllegalArgumentException("no name in " + shown + "; expected " + kind.singular() + "/<name>");
    }
    if (name.length() > MAX_NAME || !DNS_1123_SUBDOMAIN.matcher(name).matches()) {
      throw new IllegalArgumentException("\"" + Text.safe(name, 80) + "\" is not a valid " + kind.kind()
          + " name: at most " + MAX_NAME + " characters of lower-case letters, digits, '-' and '.', starting and"
          + " ending with a letter or digit");
    }
    return new PolicyRef(kind, name);
  }

  private static String kinds() {
    return Arrays.stream(PolicyKind.values()).map(k -> String.join("|", k.words())).collect(Collectors.joining(", "));
  }

  /** {@code <singular>/<name>}, e.g. {@code cachepolicy/product-pages}. */
  @Override
  public String toString() {
    return kind.singular() + "/" + name;
  }

  /** picocli converter: a malformed argument is a usage error (exit 2) with {@link #parse}'s message. */
  public static final class Converter implements ITypeConverter<PolicyRef> {
    @Override
    public PolicyRef convert(String value) {
      try {
        return parse(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }
}
