package io.cacheplane.api.contract;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;

/**
 * Sticky cohorts (DESIGN.md, "Cohorts"). An agent's bucket for a policy is the first 4 bytes of
 * SHA-256(UTF-8 of {@code policyUid + "/" + agentId}) read as an unsigned big-endian 32-bit integer;
 * the agent applies the canary iff {@code bucket < threshold}, with {@code threshold} in 0..2^32.
 * The same function runs in both planes.
 */
public final class Bucketing {

  /** Threshold that puts every agent, present and future, in the canary: 2^32. */
  public static final long ALL = 1L << 32;

  private Bucketing() {}

  /**
   * @param policyUid the policy's metadata.uid (non-null)
   * @param agentId the agent's id, its pod name (non-null)
   * @return the bucket, in 0..2^32-1
   */
  public static long bucket(String policyUid, String agentId) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256")
          .digest((policyUid + "/" + agentId).getBytes(StandardCharsets.UTF_8));
      return ((d[0] & 0xFFL) << 24) | ((d[1] & 0xFFL) << 16) | ((d[2] & 0xFFL) << 8) | (d[3] & 0xFFL);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }

  /** Whether an agent in {@code bucket} applies a canary published with {@code threshold}. */
  public static boolean isCanary(long bucket, long threshold) {
    return bucket < threshold;
  }

  /**
   * How many of {@code agents} agents are canaries at {@code weightPercent}: {@code ceil(weight% × N)}, and at
   * least one when the weight is above 0 and there is an agent.
   *
   * @param agents N, the live matched agents (≥ 0)
   * @param weightPercent 0..100
   * @throws IllegalArgumentException when an argument is out of range
   */
  public static int canaryCount(int agents, int weightPercent) {
    if (agents < 0 || weightPercent < 0 || weightPercent > 100) {
      throw new IllegalArgumentException("agents must be >= 0 and weight in 0..100, got " + agents + ", " + weightPercent);
    }
    return (int) ((agents * (long) weightPercent + 99) / 100);
  }

  /**
   * The smallest threshold that makes exactly {@link #canaryCount} of the given agents canaries, never lower
   * than {@code previous} (raising the weight never moves an agent back to stable). At 100 % the threshold is
   * {@link #ALL}, so agents that join later are canaries too.
   *
   * @param buckets the buckets of the live matched agents
   * @param weightPercent 0..100
   * @param previous the threshold published so far in this rollout (0 at its start)
   * @return a threshold in 0..2^32
   */
  public static long threshold(Collection<Long> buckets, int weightPercent, long previous) {
    int n = buckets.size();
    int k = canaryCount(n, weightPercent);
    long computed;
    if (weightPercent == 100) {
      computed = ALL;
    } else if (k == 0) {
      computed = 0;
    } else {
      long[] sorted = buckets.stream().mapToLong(Long::longValue).sorted().toArray();
      computed = sorted[k - 1] + 1;
    }
    return Math.max(previous, computed);
  }
}
