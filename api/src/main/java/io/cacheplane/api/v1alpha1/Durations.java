package io.cacheplane.api.v1alpha1;

/** The duration syntax of the CRDs: Go/Kubernetes style, e.g. {@code 30s}, {@code 5m}, {@code 1h30m}, {@code 250ms}. */
public final class Durations {

  /** Schema pattern for a duration (units ns, us, ms, s, m, h; as Go's {@code time.ParseDuration}). */
  public static final String PATTERN = "^([0-9]+(\\.[0-9]+)?(ns|us|ms|s|m|h))+$";

  private Durations() {}
}
