package io.cacheplane.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

/** Request matching: at most one of {@code path}, {@code pathPrefix}, {@code pathRegex}; plus methods and headers. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RouteMatch {

  @JsonPropertyDescription("Exact request path (starts with /).")
  private String path;

  @JsonPropertyDescription("Path prefix (starts with /), matched on segment boundaries: /api matches /api "
      + "and /api/x, not /apix.")
  private String pathPrefix;

  @JsonPropertyDescription("Regular expression (RE2 syntax, linear time) the whole path must match.")
  private String pathRegex;

  @JsonPropertyDescription("Methods this route takes. Absent: every method.")
  private List<HttpMethod> methods;

  @JsonPropertyDescription("Request headers that must all match.")
  private List<HeaderMatch> headers;

  public String getPath() { return path; }
  public void setPath(String path) { this.path = path; }
  public String getPathPrefix() { return pathPrefix; }
  public void setPathPrefix(String pathPrefix) { this.pathPrefix = pathPrefix; }
  public String getPathRegex() { return pathRegex; }
  public void setPathRegex(String pathRegex) { this.pathRegex = pathRegex; }
  public List<HttpMethod> getMethods() { return methods; }
  public void setMethods(List<HttpMethod> methods) { this.methods = methods; }
  public List<HeaderMatch> getHeaders() { return headers; }
  public void setHeaders(List<HeaderMatch> headers) { this.headers = headers; }
}
