package io.cacheplane.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

/** A request header condition: present, equal to {@code value}, or matching {@code regex}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class HeaderMatch {

  @JsonPropertyDescription("Header name, matched case-insensitively.")
  @Required
  private String name;

  @JsonPropertyDescription("Exact value. Absent (and no regex): the header only has to be present.")
  private String value;

  @JsonPropertyDescription("Regular expression (RE2 syntax) the whole value must match; exclusive with value.")
  private String regex;

  public String getName() { return name; }
  public void setName(String name) { this.name = name; }
  public String getValue() { return value; }
  public void setValue(String value) { this.value = value; }
  public String getRegex() { return regex; }
  public void setRegex(String regex) { this.regex = regex; }
}
