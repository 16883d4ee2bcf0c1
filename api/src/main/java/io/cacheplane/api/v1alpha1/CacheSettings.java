package io.cacheplane.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.kubernetes.api.model.IntOrString;

/**
 * Size and expiry of the cache, in Caffeine's words ({@code Caffeine.maximumSize}, {@code maximumWeight},
 * {@code expireAfterWrite}, {@code expireAfterAccess}). {@code maximumSize} and {@code maximumWeight} are
 * mutually exclusive, as in Caffeine.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CacheSettings {

  @JsonPropertyDescription("Maximum number of entries (responses) kept; least valuable entries are evicted "
      + "beyond it (Caffeine's Window TinyLFU). Mutually exclusive with maximumWeight. "
      + "Default when neither is set: 10000 entries.")
  @Min(1)
  private Long maximumSize;

  @JsonPropertyDescription("Maximum total size of the stored responses in bytes, as a Kubernetes quantity "
      + "(e.g. 64Mi). Mutually exclusive with maximumSize.")
  @Pattern(Quantities.PATTERN)
  private IntOrString maximumWeight;

  @JsonPropertyDescription("Largest response body stored, in bytes, as a Kubernetes quantity (e.g. 256Ki); "
      + "larger responses are served uncached. Default 1Mi.")
  @Pattern(Quantities.PATTERN)
  private IntOrString maxEntrySize;

  @JsonPropertyDescription("An entry expires this long after it was stored, as a duration (e.g. 5m). "
      + "Default 5m.")
  @Pattern(Durations.PATTERN)
  private String expireAfterWrite;

  @JsonPropertyDescription("An entry expires this long after it was last read or written, as a duration "
      + "(e.g. 1m). Default: no access-based expiry.")
  @Pattern(Durations.PATTERN)
  private String expireAfterAccess;

  @JsonPropertyDescription("After an entry stops being fresh, how long it may still be served (X-Cache: STALE) "
      + "while one background request refreshes it, as a duration (e.g. 30s). RFC 5861 stale-while-revalidate. "
      + "Default: none (a stale entry is a miss).")
  @Pattern(Durations.PATTERN)
  private String staleWhileRevalidate;

  @JsonPropertyDescription("After an entry stops being fresh, how long it may still be served (X-Cache: STALE) "
      + "when the upstream fails (connection error, timeout, 5xx), as a duration (e.g. 10m). "
      + "RFC 5861 stale-if-error. Default: none.")
  @Pattern(Durations.PATTERN)
  private String staleIfError;

  public Long getMaximumSize() { return maximumSize; }
  public void setMaximumSize(Long maximumSize) { this.maximumSize = maximumSize; }
  public IntOrString getMaximumWeight() { return maximumWeight; }
  public void setMaximumWeight(IntOrString maximumWeight) { this.maximumWeight = maximumWeight; }
  public IntOrString getMaxEntrySize() { return maxEntrySize; }
  public void setMaxEntrySize(IntOrString maxEntrySize) { this.maxEntrySize = maxEntrySize; }
  public String getExpireAfterWrite() { return expireAfterWrite; }
  public void setExpireAfterWrite(String expireAfterWrite) { this.expireAfterWrite = expireAfterWrite; }
  public String getExpireAfterAccess() { return expireAfterAccess; }
  public void setExpireAfterAccess(String expireAfterAccess) { this.expireAfterAccess = expireAfterAccess; }
  public String getStaleWhileRevalidate() { return staleWhileRevalidate; }
  public void setStaleWhileRevalidate(String staleWhileRevalidate) { this.staleWhileRevalidate = staleWhileRevalidate; }
  public String getStaleIfError() { return staleIfError; }
  public void setStaleIfError(String staleIfError) { this.staleIfError = staleIfError; }
}
