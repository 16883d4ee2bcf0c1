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

  @JsonPropertyDescription("When true, the request's Host (lower-cased, without a default port) is part of the key. "
      + "Default: false.")
  private Boolean includeHost;

  @JsonPropertyDescription("When true, the path is lower-cased for the key (/Products and /products share an entry). "
      + "Default: false.")
  private Boolean lowercasePath;

  @JsonPropertyDescription("When true, runs of slashes in the path fold into one for the key (/a//b and /a/b "
      + "share an entry), like NGINX's merge_slashes. Default: true.")
  private Boolean mergeSlashes;

  public List<String> getQueryParameters() { return queryParameters; }
  public void setQueryParameters(List<String> queryParameters) { this.queryParameters = queryParameters; }
  public List<String> getHeaders() { return headers; }
  public void setHeaders(List<String> headers) { this.headers = headers; }
  public Boolean getIncludeHost() { return includeHost; }
  public void setIncludeHost(Boolean includeHost) { this.includeHost = includeHost; }
  public Boolean getLowercasePath() { return lowercasePath; }
  public void setLowercasePath(Boolean lowercasePath) { this.lowercasePath = lowercasePath; }
  public Boolean getMergeSlashes() { return mergeSlashes; }
  public void setMergeSlashes(Boolean mergeSlashes) { this.mergeSlashes = mergeSlashes; }
}
