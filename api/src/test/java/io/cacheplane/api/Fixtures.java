package io.cacheplane.api;

import io.cacheplane.api.contract.Json;
import io.cacheplane.api.v1alpha1.CachePolicy;
import io.cacheplane.api.v1alpha1.RoutePolicy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads the manifests of examples/ (they double as fixtures) and YAML snippets. */
public final class Fixtures {

  private Fixtures() {}

  public static CachePolicy productPages() {
    return read("cachepolicy-product-pages.yaml", CachePolicy.class);
  }

  public static RoutePolicy storefront() {
    return read("routepolicy-storefront.yaml", RoutePolicy.class);
  }

  public static <T> T yaml(String yaml, Class<T> type) {
    try {
      return Json.YAML.readValue(yaml, type);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static <T> T read(String example, Class<T> type) {
    try {
      return yaml(Files.readString(Path.of("..", "examples", example)), type);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
