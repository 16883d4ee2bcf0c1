package io.cacheplane.operator.rollout;

import io.cacheplane.api.contract.AgentReport;
import io.cacheplane.api.contract.Bucketing;
import java.util.Objects;

/**
 * One live agent selected by a policy, as the state machine sees it: its sticky bucket for the policy and its report
 * about the policy ({@code null} fields when it has not reported the policy yet).
 *
 * @param agent agent id (pod name)
 * @param bucket {@link Bucketing#bucket(String, String)} of (policy uid, agent id), 0..2^32-1
 * @param revision revision it serves, or {@code null}
 * @param state {@link AgentReport#APPLIED}, {@link AgentReport#REJECTED} or {@code null}
 * @param rejectedRevision for a rejection: the refused revision, when known
 * @param reason for a rejection: its CamelCase reason
 * @param message for a rejection: detail
 * @param counters cumulative request counters while the envelope has a canary, else {@code null}
 * @param sequence the envelope sequence the agent last saw for the policy (applied or rejected), or {@code null}
 */
public record AgentView(String agent, long bucket, String revision, String state, String rejectedRevision,
    String reason, String message, AgentReport.Counters counters, Long sequence) {

  public AgentView {
    Objects.requireNonNull(agent, "agent");
  }

  /** The view of {@code agent} from its report entry for the policy ({@code null} = not reported yet). */
  public static AgentView of(String policyUid, String agent, AgentReport.PolicyReport report) {
    long bucket = Bucketing.bucket(policyUid, agent);
    if (report == null) {
      return new AgentView(agent, bucket, null, null, null, null, null, null, null);
    }
    return new AgentView(agent, bucket, report.revision(), report.state(), report.rejectedRevision(), report.reason(),
        report.message(), report.counters(), report.sequence());
  }

  /** Whether it serves {@code rev} (whatever it rejected later). */
  public boolean serves(String rev) {
    return rev != null && rev.equals(revision);
  }

  /** Whether its last envelope was refused. */
  public boolean rejected() {
    return AgentReport.REJECTED.equals(state);
  }
}
