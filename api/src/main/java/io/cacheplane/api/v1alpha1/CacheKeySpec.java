package io.cacheplane.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

/**
 * What distinguishes two cached responses. The key is always the method and the path; only the query
 * parameters and request headers listed here are added (sorted), which bounds the key's cardinality.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CacheKeySpec {

  @JsonPropertyDescription("Query parameters that are part of the key (allow-list); all others are ignored "
      + "for the key. Default: none.")
  private List<String> queryParameters;

  @JsonPropertyDescription("Request headers whose values are part of the key, like Vary "
      + "(e.g. Accept-Language). Matched case-insensitively. Default: none.")
  private List<String> headers;

  public List<String> getQueryParameters() { return queryParameters; }
  public void setQueryParameters(List<String> queryParameters) { this.queryParameters = queryParameters; }
  public List<String> getHeaders() { return headers; }
  public void setHeaders(List<String> headers) { this.headers = headers; }
}
