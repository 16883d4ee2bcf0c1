package io.cacheplane.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

/** Which requests and responses may be stored. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CacheableSpec {

  @JsonPropertyDescription("Request methods whose responses may be cached. Default: [GET, HEAD].")
  private List<HttpMethod> methods;

  @JsonPropertyDescription("Response status codes that may be cached (100-599). "
      + "Default: [200, 203, 204, 300, 301, 404, 405, 410, 414, 501] (RFC 9110 section 15.1, heuristically cacheable).")
  private List<Integer> statusCodes;

  @JsonPropertyDescription("When true, the upstream's Cache-Control is honoured: no-store, private "
      + "and no-cache responses are not stored, and s-maxage, max-age (in that order) or Expires shorten an entry's "
      + "freshness, never beyond expireAfterWrite. Default: true.")
  private Boolean honorCacheControl;

  public List<HttpMethod> getMethods() { return methods; }
  public void setMethods(List<HttpMethod> methods) { this.methods = methods; }
  public List<Integer> getStatusCodes() { return statusCodes; }
  public void setStatusCodes(List<Integer> statusCodes) { this.statusCodes = statusCodes; }
  public Boolean getHonorCacheControl() { return honorCacheControl; }
  public void setHonorCacheControl(Boolean honorCacheControl) { this.honorCacheControl = honorCacheControl; }
}
