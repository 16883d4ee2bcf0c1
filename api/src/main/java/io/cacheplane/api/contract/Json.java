package io.cacheplane.api.contract;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import org.yaml.snakeyaml.LoaderOptions;

/** The Jackson mappers of the contract: strict about duplicate keys, deterministic in output. */
public final class Json {

  /** Largest YAML document read, in code points (a ConfigMap holds at most 1 MiB). */
  public static final int MAX_DOCUMENT_CODE_POINTS = 2 * 1024 * 1024;

  /** JSON, sorted keys, no nulls; rejects duplicate keys. */
  public static final ObjectMapper JSON = JsonMapper.builder()
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .serializationInclusion(JsonInclude.Include.NON_NULL)
      .build();

  /** YAML with the same rules; no document markers, string values quoted; aliases bounded (20 per collection). */
  public static final ObjectMapper YAML = yaml();

  private Json() {}

  private static ObjectMapper yaml() {
    LoaderOptions loader = new LoaderOptions();
    loader.setCodePointLimit(MAX_DOCUMENT_CODE_POINTS);
    loader.setAllowDuplicateKeys(false);
    loader.setMaxAliasesForCollections(20);
    YAMLFactory factory = YAMLFactory.builder()
        .loaderOptions(loader)
        .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
        // Every string value is written quoted: a plain scalar such as 1024, .inf, yes or 1:20 would be read back as
        // a number or a boolean, and the agents would hash another spec than the one published (the revision).
        .disable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
        .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build())
        .build();
    return YAMLMapper.builder(factory)
        .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
        .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .serializationInclusion(JsonInclude.Include.NON_NULL)
        .build();
  }
}
