package io.cacheplane.api.v1alpha1;

/** HTTP request methods a policy can name (RFC 9110, section 9). */
public enum HttpMethod {
  GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS
}
