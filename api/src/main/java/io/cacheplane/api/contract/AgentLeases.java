package io.cacheplane.api.contract;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The Lease each agent keeps in its namespace (DESIGN.md, "Agent identity and reports"): named
 * {@code cacheplane-agent-<pod name>}, labelled with the pod's labels plus {@link #AGENT_LABEL}, owned by the pod
 * when its UID is known, renewed on a heartbeat, with the supported schema versions and the {@link AgentReport}
 * in annotations.
 */
public final class AgentLeases {

  /** Label on every agent Lease, so the operator can watch just those. */
  public static final String AGENT_LABEL = "cacheplane.io/agent";
  /** Annotation: comma-separated envelope schema versions the agent reads, e.g. {@code 1}. */
  public static final String SCHEMA_VERSIONS_ANNOTATION = "cacheplane.io/schema-versions";
  /** Annotation: the {@link AgentReport} as compact JSON. */
  public static final String REPORT_ANNOTATION = "cacheplane.io/report";
  /** Prefix of every agent Lease name. */
  public static final String NAME_PREFIX = "cacheplane-agent-";
  /** Largest report written, in bytes of UTF-8: well under the 256 KiB limit on all annotations of an object. */
  public static final int MAX_REPORT_BYTES = 128 * 1024;
  /** Longest rejection message kept in a report, in characters. */
  public static final int MAX_MESSAGE = 256;

  private AgentLeases() {}

  /** {@code cacheplane-agent-<podName>}, truncated with a hash suffix when over 253 characters. */
  public static String leaseName(String podName) {
    String full = NAME_PREFIX + podName;
    if (full.length() <= ConfigMapNames.MAX_NAME) {
      return full;
    }
    String suffix = "-" + Revisions.sha256Hex(podName).substring(0, 10);
    return full.substring(0, ConfigMapNames.MAX_NAME - suffix.length()) + suffix;
  }

  /**
   * The report as compact JSON with a stable field order (same report → same text, so an unchanged report never
   * causes a write).
   *
   * @throws IllegalStateException when the JSON would exceed {@link #MAX_REPORT_BYTES}: the agent must fail loudly
   *     rather than write a truncated report
   */
  public static String encode(AgentReport report) {
    String json;
    try {
      json = Json.JSON.writeValueAsString(report);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("report cannot be written: " + e.getOriginalMessage(), e);
    }
    int bytes = json.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_REPORT_BYTES) {
      throw new IllegalStateException("agent report of " + bytes + " bytes exceeds the limit of " + MAX_REPORT_BYTES
          + " bytes (" + report.policies().size() + " policies)");
    }
    return json;
  }

  /**
   * Reads a report; a Lease written by a stranger or a broken agent must not break the operator.
   *
   * @return the report, or {@code null} when the text is absent, too large or not a report
   */
  public static AgentReport decode(String json) {
    if (json == null || json.isBlank() || json.length() > MAX_REPORT_BYTES) {
      return null;
    }
    try {
      AgentReport report = Json.JSON.readValue(json, AgentReport.class);
      if (report == null || report.agent() == null) {
        return null;
      }
      return report.policies() == null ? new AgentReport(report.agent(), List.of()) : report;
    } catch (JsonProcessingException e) {
      return null;
    }
  }
}
