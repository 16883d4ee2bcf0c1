package io.cacheplane.api.validation;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.fabric8.kubernetes.api.model.IntOrString;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/** Collects violations; the small vocabulary the validators are written in. */
final class Checker {

  /** RFC 9110 token, the syntax of a header name. */
  private static final java.util.regex.Pattern TOKEN = java.util.regex.Pattern.compile("^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}$");
  /** DNS-1123 label. */
  private static final java.util.regex.Pattern DNS_LABEL = java.util.regex.Pattern.compile("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$");
  /** DNS-1123 subdomain (object names). */
  private static final java.util.regex.Pattern DNS_SUBDOMAIN =
      java.util.regex.Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");

  /** Longest regular expression accepted, in characters. */
  static final int MAX_REGEX_LENGTH = 1024;
  /** Longest expiry or timeout accepted: one year. */
  static final Duration MAX_DURATION = Duration.ofDays(365);

  private final List<Violation> violations = new ArrayList<>();

  List<Violation> violations() {
    return List.copyOf(violations);
  }

  void add(String field, String message) {
    violations.add(new Violation(field, message));
  }

  boolean required(String field, Object value) {
    if (value == null || (value instanceof String s && s.isBlank())
        || (value instanceof Collection<?> c && c.isEmpty())) {
      add(field, "is required");
      return false;
    }
    return true;
  }

  /** A positive duration up to a year; {@code null} is fine (optional). */
  Duration positiveDuration(String field, String text) {
    if (text == null) {
      return null;
    }
    try {
      Duration d = Values.duration(text);
      if (d.isNegative() || d.isZero()) {
        add(field, "must be a positive duration, got " + text);
        return null;
      }
      if (d.compareTo(MAX_DURATION) > 0) {
        add(field, "must be at most 8760h (a year), got " + text);
        return null;
      }
      return d;
    } catch (IllegalArgumentException e) {
      add(field, e.getMessage());
      return null;
    }
  }

  /** A positive byte quantity; {@code null} is fine (optional). */
  Long positiveBytes(String field, IntOrString value) {
    if (value == null) {
      return null;
    }
    try {
      long bytes = Values.bytes(value);
      if (bytes <= 0) {
        add(field, "must be at least 1 byte, got " + bytes);
        return null;
      }
      return bytes;
    } catch (IllegalArgumentException e) {
      add(field, e.getMessage());
      return null;
    }
  }

  void range(String field, Number value, long min, long max) {
    if (value != null && (value.longValue() < min || value.longValue() > max)) {
      add(field, "must be between " + min + " and " + max + ", got " + value);
    }
  }

  void atMost(String field, Collection<?> items, int max) {
    if (items != null && items.size() > max) {
      add(field, "must have at most " + max + " items, got " + items.size());
    }
  }

  void headerName(String field, String name) {
    if (required(field, name) && !TOKEN.matcher(name).matches()) {
      add(field, "must be an HTTP header name (RFC 9110 token), got \"" + Values.abbreviate(name) + "\"");
    }
  }

  void dnsLabel(String field, String name) {
    if (required(field, name) && !DNS_LABEL.matcher(name).matches()) {
      add(field, "must be a DNS-1123 label (lower-case letters, digits and '-', at most 63 characters), got \""
          + Values.abbreviate(name) + "\"");
    }
  }

  void objectName(String field, String name) {
    if (required(field, name) && (name.length() > 253 || !DNS_SUBDOMAIN.matcher(name).matches())) {
      add(field, "must be a Kubernetes object name (DNS-1123 subdomain, at most 253 characters), got \""
          + Values.abbreviate(name) + "\"");
    }
  }

  /** Compiles with RE2/J (linear time); reports what RE2 cannot express. */
  Pattern regex(String field, String regex) {
    if (!required(field, regex)) {
      return null;
    }
    if (regex.length() > MAX_REGEX_LENGTH) {
      add(field, "must be at most " + MAX_REGEX_LENGTH + " characters, got " + regex.length());
      return null;
    }
    try {
      return Pattern.compile(regex);
    } catch (PatternSyntaxException e) {
      add(field, "must be an RE2 regular expression (no backreferences or lookaround): " + e.getDescription());
      return null;
    }
  }

  <T> void unique(String field, List<T> items, Function<T, Object> identity, String what) {
    if (items == null) {
      return;
    }
    Set<Object> seen = new HashSet<>();
    for (int i = 0; i < items.size(); i++) {
      Object id = items.get(i) == null ? null : identity.apply(items.get(i));
      if (id != null && !seen.add(id)) {
        add(field + "[" + i + "]", "duplicate " + what + " \"" + Values.abbreviate(String.valueOf(id)) + "\"");
      }
    }
  }
}
