package io.cacheplane.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

/**
 * Header changes, in Gateway API's {@code HTTPHeaderFilter} words: {@code set} replaces, {@code add} appends,
 * {@code remove} deletes; applied in the order remove, set, add. Hop-by-hop headers, Host, Content-Length and
 * Transfer-Encoding cannot be changed.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class HeaderModifier {

  @JsonPropertyDescription("Headers set to this value, replacing any present.")
  private List<HttpHeader> set;

  @JsonPropertyDescription("Headers added, keeping any present.")
  private List<HttpHeader> add;

  @JsonPropertyDescription("Names of headers removed.")
  private List<String> remove;

  public List<HttpHeader> getSet() { return set; }
  public void setSet(List<HttpHeader> set) { this.set = set; }
  public List<HttpHeader> getAdd() { return add; }
  public void setAdd(List<HttpHeader> add) { this.add = add; }
  public List<String> getRemove() { return remove; }
  public void setRemove(List<String> remove) { this.remove = remove; }
}
