package io.cacheplane.api.v1alpha1;

/** The quantity syntax of the CRDs: Kubernetes resource quantities, e.g. {@code 256Ki}, {@code 64Mi}, {@code 1000}. */
public final class Quantities {

  /** Schema pattern for a byte quantity: digits with an optional binary (Ki..Ei) or decimal (k..E) suffix. */
  public static final String PATTERN = "^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$";

  private Quantities() {}
}
