package io.cacheplane.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import java.util.List;

/** One route: which requests it takes, where it sends them, and through which cache. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Route {

  /** DNS-1123 label: lower-case alphanumerics and '-', at most 63 characters. */
  public static final String NAME_PATTERN = "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$";

  @JsonPropertyDescription("Name of the route, unique within the policy (DNS-1123 label, at most 63 characters); "
      + "used in metrics.")
  @Required
  @Pattern(NAME_PATTERN)
  private String name;

  @JsonPropertyDescription("Which requests this route takes. Absent: every request.")
  private RouteMatch match;

  @JsonPropertyDescription("Upstreams, chosen per request by weight.")
  @Required
  private List<Backend> backends;

  @JsonPropertyDescription("Time allowed for the upstream's response, as a duration (e.g. 2s); "
      + "on expiry the agent answers 504. Default 15s.")
  @Pattern(Durations.PATTERN)
  private String timeout;

  @JsonPropertyDescription("Name of a CachePolicy in the same namespace whose cache serves this route. "
      + "Absent: responses are not cached.")
  private String cachePolicyRef;

  @JsonPropertyDescription("Retries of idempotent requests, bounded by a retry budget. Absent: no retries.")
  private RetrySpec retries;

  @JsonPropertyDescription("Path rewrite before the request is sent upstream.")
  private UrlRewrite rewrite;

  @JsonPropertyDescription("Changes to the request headers sent upstream.")
  private HeaderModifier requestHeaderModifier;

  @JsonPropertyDescription("Changes to the response headers sent to the client (applied before a response is "
      + "stored, so cached answers carry them too).")
  private HeaderModifier responseHeaderModifier;

  public String getName() { return name; }
  public void setName(String name) { this.name = name; }
  public RouteMatch getMatch() { return match; }
  public void setMatch(RouteMatch match) { this.match = match; }
  public List<Backend> getBackends() { return backends; }
  public void setBackends(List<Backend> backends) { this.backends = backends; }
  public String getTimeout() { return timeout; }
  public void setTimeout(String timeout) { this.timeout = timeout; }
  public String getCachePolicyRef() { return cachePolicyRef; }
  public void setCachePolicyRef(String cachePolicyRef) { this.cachePolicyRef = cachePolicyRef; }
  public RetrySpec getRetries() { return retries; }
  public void setRetries(RetrySpec retries) { this.retries = retries; }
  public UrlRewrite getRewrite() { return rewrite; }
  public void setRewrite(UrlRewrite rewrite) { this.rewrite = rewrite; }
  public HeaderModifier getRequestHeaderModifier() { return requestHeaderModifier; }
  public void setRequestHeaderModifier(HeaderModifier requestHeaderModifier) { this.requestHeaderModifier = requestHeaderModifier; }
  public HeaderModifier getResponseHeaderModifier() { return responseHeaderModifier; }
  public void setResponseHeaderModifier(HeaderModifier responseHeaderModifier) { this.responseHeaderModifier = responseHeaderModifier; }
}
