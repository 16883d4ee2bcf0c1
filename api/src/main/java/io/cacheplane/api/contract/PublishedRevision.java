package io.cacheplane.api.contract;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * One revision inside an {@link Envelope}.
 *
 * @param revision 16 hex characters, {@link Revisions#of(JsonNode)} of {@code spec}
 * @param generation metadata.generation of the policy the spec came from
 * @param spec the executable spec (see {@link Revisions#executableSpec}), keys sorted
 * @param threshold canary only: agents whose bucket is below it apply this revision (0..2^32)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"revision", "generation", "threshold", "spec"})
public record PublishedRevision(String revision, Long generation, JsonNode spec, Long threshold) {}
