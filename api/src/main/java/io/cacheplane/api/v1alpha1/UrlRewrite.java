package io.cacheplane.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Rewrites the request path before it is sent upstream (Gateway API's {@code URLRewrite} words). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class UrlRewrite {

  @JsonPropertyDescription("Replaces the matched match.pathPrefix with this prefix (starts with /); e.g. prefix "
      + "/shop with replacePrefixMatch /v2 sends /shop/cart as /v2/cart. Requires match.pathPrefix.")
  private String replacePrefixMatch;

  public String getReplacePrefixMatch() { return replacePrefixMatch; }
  public void setReplacePrefixMatch(String replacePrefixMatch) { this.replacePrefixMatch = replacePrefixMatch; }
}
