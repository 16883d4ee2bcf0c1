package io.cacheplane.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** An upstream: exactly one of {@code url} or {@code service} (+ {@code port}), with a traffic {@code weight}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Backend {

  @JsonPropertyDescription("Absolute http or https URL of the upstream (scheme, host, optional port); "
      + "exclusive with service.")
  private String url;

  @JsonPropertyDescription("Name of a Service in the agent's namespace, resolved as <service>.<namespace>.svc; "
      + "exclusive with url.")
  private String service;

  @JsonPropertyDescription("Port of the Service (1-65535); required with service.")
  @Min(1)
  @Max(65535)
  private Integer port;

  @JsonPropertyDescription("Percent of the route's requests sent here (0-100). The weights of a route's "
      + "backends must sum to 100; a single backend may omit it.")
  @Min(0)
  @Max(100)
  private Integer weight;

  public String getUrl() { return url; }
  public void setUrl(String url) { this.url = url; }
  public String getService() { return service; }
  public void setService(String service) { this.service = service; }
  public Integer getPort() { return port; }
  public void setPort(Integer port) { this.port = port; }
  public Integer getWeight() { return weight; }
  public void setWeight(Integer weight) { this.weight = weight; }
}
