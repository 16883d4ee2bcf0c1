package io.cacheplane.api.validation;

/**
 * One broken rule of a policy spec.
 *
 * @param field the field path, e.g. {@code spec.routes[0].backends[1].weight}
 * @param message the rule, stated so the user can fix it, e.g. "must be at least 1, got 0"
 */
public record Violation(String field, String message) {

  @Override
  public String toString() {
    return field + ": " + message;
  }
}
