package io.cacheplane.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

/** A header name and value. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class HttpHeader {

  @JsonPropertyDescription("Header name (RFC 9110 token), matched case-insensitively.")
  @Required
  private String name;

  @JsonPropertyDescription("Header value: visible ASCII and spaces, no CR or LF, at most 4096 characters.")
  @Required
  private String value;

  public HttpHeader() {}

  public HttpHeader(String name, String value) {
    this.name = name;
    this.value = value;
  }

  public String getName() { return name; }
  public void setName(String name) { this.name = name; }
  public String getValue() { return value; }
  public void setValue(String value) { this.value = value; }
}
