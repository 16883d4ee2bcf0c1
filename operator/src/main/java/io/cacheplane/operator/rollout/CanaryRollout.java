package io.cacheplane.operator.rollout;

import io.cacheplane.api.contract.Bucketing;
import io.cacheplane.api.contract.Envelope;
import io.cacheplane.api.contract.PublishedRevision;
import io.cacheplane.api.v1alpha1.PolicyConditions;
import io.cacheplane.api.v1alpha1.PolicyPhase;
import io.cacheplane.operator.rollout.RolloutState.Aborted;
import io.cacheplane.operator.rollout.RolloutState.AnalysisWindow;
import io.cacheplane.operator.rollout.RolloutState.History;
import io.cacheplane.operator.rollout.Transition.Event;
import io.cacheplane.operator.status.DesiredCondition;
import io.cacheplane.operator.status.Messages;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * The progressive canary rollout (DESIGN.md, "Rollout (operator)"), as one pure function. Per decision, in order:
 * <ol>
 *   <li><b>Version skew</b>: a matched agent that does not read the envelope schema version holds everything
 *       ({@code Degraded/AgentsOutdated}, nothing new published).</li>
 *   <li><b>Revert</b>: the candidate is the stable revision → any canary is dropped at once.</li>
 *   <li><b>Aborted / rolled back</b>: the failed revision stays off until the spec changes or {@code retry}.</li>
 *   <li><b>Supersede</b>: a canary of another revision is dropped (history {@code Superseded}); the new rollout
 *       starts once no agent serves a third revision (drain), so agents never run three revisions at once.</li>
 *   <li><b>Steps changed</b> (steps hash differs): the steps restart.</li>
 *   <li><b>Start</b> (nothing to wait for when no live agent matches: the candidate becomes stable at once, with
 *       {@code Ready=False} and {@code Degraded=True}, reason {@code NoMatchingAgents}, naming the selector, until a
 *       matching agent serves it; once a
 *       canary is out, agents vanishing never promote it: the steps go on with nobody to acknowledge, and a bake
 *       with analysis stays inconclusive).</li>
 *   <li><b>Running</b>: abort, NACK (an agent rejected the canary → rollback), {@code spec.paused} (freeze; timers
 *       shift by the pause), promote-full, cohort upkeep, analysis, then the steps: setWeight waits for every
 *       canary agent's ACK within {@code progressDeadline}; a timed pause waits its bake time and a passing analysis;
 *       an indefinite pause waits for promote; after the last step the canary is promoted to stable.</li>
 * </ol>
 * Cohorts: at each setWeight step the threshold is {@link Bucketing#threshold} over the buckets of the live matched
 * agents, never lower than before in the rollout; it is recomputed only at a step change or when the canaries fall
 * below {@code ceil(weight% × N)}.
 */
public final class CanaryRollout implements RolloutEngine {

  /** The shared instance (stateless). */
  public static final CanaryRollout INSTANCE = new CanaryRollout();

  private CanaryRollout() {}

  @Override
  public RolloutDecision decide(RolloutInput input) {
    return new Run(input).run();
  }

  /** One decision's working state. */
  private static final class Run {
    private final RolloutInput in;
    private final Instant now;
    private final String cand;
    private final List<AgentView> agents;
    private final List<Strategy.Step> steps;

    // state (starts as the previous one)
    private String canaryRevision;
    private Integer stepIndex;
    private String stepsHash;
    private Instant stepStartedAt;
    private Instant canaryPublishedAt;
    private long threshold;
    private int weight;
    private Instant pausedAt;
    private AnalysisWindow analysis;
    private Controls handled;
    private Aborted aborted;
    private final List<History> history;
    private Long lastConvergence;
    private Long drainAfter;
    private Instant drainStartedAt;

    // outputs
    private PublishedRevision stable;
    private boolean running;
    private boolean hold;
    private final List<Event> events = new ArrayList<>();
    private Instant wakeAt;
    private Long converged;
    private String progressingReason;
    private String progressingMessage;
    private String pausedReason;
    private String pausedMessage;
    private boolean promoteRequested;
    private boolean promoteFullRequested;
    private boolean abortRequested;
    private boolean retryRequested;
    private final List<DesiredCondition> conditions = new ArrayList<>();
    private PolicyPhase phase;

    Run(RolloutInput in) {
      this.in = in;
      this.now = in.now().truncatedTo(ChronoUnit.SECONDS); // status keeps seconds: decide as a restart would
      this.cand = in.candidate().revision();
      this.agents = in.agents();
      this.steps = in.strategy().steps();
      RolloutState p = in.previous();
      canaryRevision = p.canaryRevision();
      stepIndex = p.stepIndex();
      stepsHash = p.stepsHash();
      stepStartedAt = p.stepStartedAt();
      canaryPublishedAt = p.canaryPublishedAt();
      threshold = p.threshold();
      weight = p.weight();
      pausedAt = p.pausedAt();
      analysis = p.analysis();
      handled = p.handled();
      aborted = p.aborted();
      history = new ArrayList<>(p.history());
      lastConvergence = p.lastConvergenceSeconds();
      drainAfter = p.drainAfter();
      drainStartedAt = p.drainStartedAt();
      stable = in.stable();
    }

    RolloutDecision run() {
      if (!in.outdatedAgents().isEmpty()) {
        holdOutdated();
        return finish();
      }
      takeControls();
      String stableRev = stable == null ? null : stable.revision();
      PublishedRevision published = in.canary();

      // 2. revert: the candidate is the stable revision
      if (cand.equals(stableRev)) {
        String dropped = published != null ? published.revision() : canaryRevision;
        if (dropped != null && !dropped.equals(cand)) {
          drain();
          record(dropped, published == null || published.generation() == null ? 0 : published.generation(),
              "Superseded");
          event(Transition.REVERTED, "spec reverted to the stable revision " + cand + "; canary " + dropped
              + " dropped");
        }
        if (dropped != null && !dropped.equals(cand)) {
          canaryPublishedAt = null;
        }
        aborted = null;
        clearRollout();
        steady();
        return finish();
      }

      // 3. aborted or rolled back
      String clearedAbort = null;
      if (aborted != null) {
        if (aborted.revision().equals(cand) && !retryRequested) {
          holdAborted();
          return finish();
        }
        if (aborted.revision().equals(cand)) {
          event(Transition.RETRIED, "retrying revision " + cand + " from the first step");
        }
        clearedAbort = aborted.revision();
        aborted = null;
        clearRollout();
        published = null; // the held canary (threshold 0 when there is no stable) is replaced by a fresh start
      }
      if (published != null && published.revision().equals(clearedAbort)) {
        published = null; // the held canary of a rollout taken back earlier: already in history
      }

      // 4. supersede / adopt / steps changed
      if (published != null && !published.revision().equals(cand)) {
        drain();
        record(published.revision(), published.generation() == null ? 0 : published.generation(), "Superseded");
        event(Transition.SUPERSEDED, "canary " + published.revision() + " superseded by revision " + cand
            + " (generation " + in.candidate().generation() + ")");
        clearRollout();
        canaryPublishedAt = null;
      } else if (published != null) {
        running = true;
        if (!cand.equals(canaryRevision) || stepIndex == null || stepStartedAt == null) {
          // status is behind the ConfigMap (e.g. the status patch was lost): resume at the first step, keeping the
          // published threshold as the floor (it never decreases)
          long floor = published.threshold() == null ? 0 : published.threshold();
          clearRollout();
          canaryRevision = cand;
          canaryPublishedAt = now;
          threshold = floor;
          stepsHash = in.strategy().stepsHash();
          enter(0);
        } else if (!in.strategy().stepsHash().equals(stepsHash)) {
          event(Transition.STEPS_CHANGED, "rollout steps changed: restarting the steps of revision " + cand);
          stepsHash = in.strategy().stepsHash();
          threshold = 0;
          weight = 0;
          analysis = null;
          pausedAt = null;
          enter(0);
        }
      } else if (cand.equals(canaryRevision) && stable != null) {
        // Status says this canary runs but the ConfigMap publishes only the stable revision: a rollback or abort
        // reached the ConfigMap and its status patch was lost (e.g. the operator stopped in between). Never roll the
        // canary out again on our own: hold it as rolled back until the spec changes or cacheplane.io/retry.
        if (in.publishedSequence() != null) {
          drainAfter = in.publishedSequence() - 1;
          drainStartedAt = now;
        }
        takeBack(PolicyConditions.ROLLED_BACK, "revision " + cand + " is no longer in the ConfigMap although a "
            + "rollout of it was recorded (an earlier rollback whose status was lost?); set cacheplane.io/retry to roll "
            + "it out again", null);
        return finish();
      } else if (canaryRevision != null) {
        clearRollout(); // status remembers a canary the ConfigMap no longer has (superseded, or the ConfigMap is new)
      }

      // 5. not running: start
      if (!running) {
        if (in.paused()) {
          pausedReason = PolicyConditions.SPEC_PAUSED;
          pausedMessage = "spec.paused is true: revision " + cand + " waits to be rolled out";
          progressingReason = PolicyConditions.SPEC_PAUSED;
          progressingMessage = pausedMessage;
          return finish();
        }
        if (agents.isEmpty()) {
          complete("no live agent matches the policy's agentSelector: revision " + cand
              + " published as stable without a canary");
          return finish();
        }
        if (stableRev != null) {
          Long after = drainAfter;
          List<String> waiting = agents.stream().filter(a -> !a.rejected()
              && ((after != null && (a.sequence() == null || a.sequence() <= after))
                  || (a.revision() != null && !a.serves(stableRev) && !a.serves(cand))))
              .map(AgentView::agent).toList();
          if (!waiting.isEmpty()) {
            if (drainStartedAt == null) {
              drainStartedAt = now;
            }
            Instant giveUp = drainStartedAt.plus(in.strategy().progressDeadline());
            if (now.isBefore(giveUp)) {
              progressingReason = PolicyConditions.DRAINING;
              progressingMessage = Messages.joinBounded("waiting until " + giveUp + " for " + waiting.size()
                  + " agent(s) to leave the previous canary for stable " + stableRev + (after == null ? ""
                  : " (to report an envelope sequence above " + after + ")") + " before revision " + cand
                  + " starts: ", waiting);
              wake(giveUp);
              return finish();
            }
          }
        }
        drainAfter = null;
        drainStartedAt = null;
        running = true;
        canaryRevision = cand;
        canaryPublishedAt = now;
        stepsHash = in.strategy().stepsHash();
        threshold = 0;
        weight = 0;
        analysis = null;
        pausedAt = null;
        event(Transition.STARTED, "rollout of revision " + cand + " (generation " + in.candidate().generation()
            + ") started: " + steps.size() + " step(s)" + (stableRev == null ? ", no stable revision yet"
            : ", stable " + stableRev));
        enter(0);
      }

      // 6. running
      if (abortRequested) {
        takeBack(PolicyConditions.ABORTED, "rollout of revision " + cand + " aborted by " + "cacheplane.io/abort="
            + in.requested().abort(), null);
        return finish();
      }
      AgentView nack = agents.stream().filter(a -> a.rejected()
          && (cand.equals(a.rejectedRevision()) || (a.rejectedRevision() == null
              && Bucketing.isCanary(a.bucket(), threshold)))).findFirst().orElse(null);
      if (nack != null) {
        takeBack(PolicyConditions.ROLLED_BACK, "agent " + nack.agent() + " rejected revision " + cand + ": "
            + nack.reason() + (nack.message() == null ? "" : ": " + nack.message()), "nack");
        return finish();
      }
      if (in.paused()) {
        if (pausedAt == null) {
          pausedAt = now;
          event(Transition.PAUSED, "spec.paused: rollout of revision " + cand + " frozen at step " + stepLabel());
        }
        pausedReason = PolicyConditions.SPEC_PAUSED;
        pausedMessage = "spec.paused is true: rollout of revision " + cand + " frozen at step " + stepLabel()
            + "; timers resume when it is false";
        describeStep();
        return finish();
      }
      if (pausedAt != null) {
        Duration frozen = Duration.between(pausedAt, now);
        if (!frozen.isNegative()) {
          stepStartedAt = stepStartedAt.plus(frozen);
          if (analysis != null) {
            analysis = new AnalysisWindow(analysis.startedAt().plus(frozen), analysis.baseline(), analysis.failures(),
                analysis.lastPassAt(), analysis.lastResult());
          }
        }
        pausedAt = null;
        event(Transition.RESUMED, "spec.paused is false: rollout of revision " + cand + " resumed at step "
            + stepLabel() + " after " + Strategy.format(frozen.isNegative() ? Duration.ZERO : frozen));
      }
      if (promoteFullRequested) {
        event(Transition.PROMOTED_FULL, "cacheplane.io/promote-full=" + in.requested().promoteFull()
            + ": revision " + cand + " promoted to stable, skipping the remaining steps");
        complete("revision " + cand + " promoted by cacheplane.io/promote-full");
        return finish();
      }
      keepCohort();
      if (in.strategy().analysis() != null) {
        CanaryAnalysis.Result r = CanaryAnalysis.evaluate(in.strategy().analysis(), analysis, agents, cand, stableRev,
            now);
        analysis = r.window();
        if (r.rollback()) {
          takeBack(PolicyConditions.ROLLED_BACK, "revision " + cand + " rolled back: " + r.message(), "analysis");
          return finish();
        }
        wake(analysis.startedAt().plus(in.strategy().analysis().interval()));
      }
      for (int guard = 0; guard <= steps.size() + 1; guard++) {
        if (stepIndex >= steps.size()) {
          complete("revision " + cand + " promoted to stable after " + steps.size() + " step(s)");
          return finish();
        }
        Strategy.Step step = steps.get(stepIndex);
        if (promoteRequested) {
          promoteRequested = false;
          event(Transition.PROMOTED, "cacheplane.io/promote=" + in.requested().promote() + ": step "
              + stepLabel() + " skipped");
          advance(false);
          continue;
        }
        if (step.isSetWeight()) {
          List<AgentView> canaries = canaries();
          List<String> waiting = canaries.stream().filter(a -> !a.serves(cand)).map(AgentView::agent).toList();
          if (waiting.isEmpty()) {
            advance(true);
            continue;
          }
          Instant deadline = stepStartedAt.plus(in.strategy().progressDeadline());
          if (!now.isBefore(deadline)) {
            takeBack(PolicyConditions.PROGRESS_DEADLINE_EXCEEDED, Messages.joinBounded(waiting.size() + " of "
                + canaries.size() + " canary agent(s) did not acknowledge revision " + cand + " at step "
                + stepLabel() + " within progressDeadline " + Strategy.format(in.strategy().progressDeadline())
                + ": ", waiting), "progress_deadline");
            return finish();
          }
          wake(deadline);
          describeStep();
          return finish();
        }
        if (step.isIndefinitePause()) {
          pausedReason = PolicyConditions.AWAITING_PROMOTE;
          pausedMessage = "step " + stepLabel() + ": set the annotation cacheplane.io/promote to a new value to go on"
              + " (cacheplane.io/promote-full to finish, cacheplane.io/abort to go back)";
          describeStep();
          return finish();
        }
        Instant end = stepStartedAt.plus(step.pause());
        if (now.isBefore(end)) {
          wake(end);
          describeStep();
          return finish();
        }
        if (analysisPassedInStep()) {
          advance(true);
          continue;
        }
        Instant deadline = stepStartedAt.plus(in.strategy().progressDeadline());
        if (deadline.isBefore(end)) {
          deadline = end;
        }
        if (!now.isBefore(deadline)) {
          pausedReason = PolicyConditions.ANALYSIS_INCONCLUSIVE;
          pausedMessage = "step " + stepLabel() + ": the bake time is over but no analysis interval passed before the "
              + "progress deadline (" + (analysis == null || analysis.lastResult() == null ? "no verdict yet"
              : analysis.lastResult()) + "); promote to go on or abort";
        } else {
          wake(deadline);
        }
        describeStep();
        return finish();
      }
      throw new IllegalStateException("rollout steps did not settle"); // unreachable: each turn advances a step
    }

    // ---- transitions ----

    private void takeControls() {
      Controls r = in.requested();
      Controls h = handled;
      promoteRequested = Controls.isNew(r.promote(), h.promote());
      promoteFullRequested = Controls.isNew(r.promoteFull(), h.promoteFull());
      abortRequested = Controls.isNew(r.abort(), h.abort());
      retryRequested = Controls.isNew(r.retry(), h.retry());
      handled = new Controls(promoteRequested ? r.promote() : h.promote(),
          promoteFullRequested ? r.promoteFull() : h.promoteFull(), abortRequested ? r.abort() : h.abort(),
          retryRequested ? r.retry() : h.retry());
    }

    /** Enters step {@code index}: its clock starts now; a setWeight step sets the weight and the threshold. */
    private void enter(int index) {
      stepIndex = index;
      stepStartedAt = now;
      if (index < steps.size() && steps.get(index).isSetWeight()) {
        weight = steps.get(index).setWeight();
        threshold = Bucketing.threshold(buckets(), weight, threshold);
      }
    }

    private void advance(boolean emit) {
      if (emit) {
        event(Transition.STEP_ADVANCED, "step " + stepLabel() + " of revision " + cand + " done");
      }
      enter(stepIndex + 1);
    }

    /** Raises the threshold when agents left and the canaries fell below {@code ceil(weight% × N)}. */
    private void keepCohort() {
      if (weight <= 0) {
        return;
      }
      if (canaries().size() < Bucketing.canaryCount(agents.size(), weight)) {
        threshold = Bucketing.threshold(buckets(), weight, threshold);
      }
    }

    private boolean analysisPassedInStep() {
      if (in.strategy().analysis() == null) {
        return true;
      }
      return analysis != null && analysis.lastPassAt() != null && !analysis.lastPassAt().isBefore(stepStartedAt);
    }

    /** The candidate becomes stable; the canary is cleared. */
    private void complete(String message) {
      PublishedRevision c = in.candidate();
      PublishedRevision from = in.canary() != null && cand.equals(in.canary().revision()) ? in.canary() : c;
      stable = new PublishedRevision(cand, from.generation(), from.spec(), null);
      record(cand, from.generation() == null ? 0 : from.generation(), "Promoted");
      event(Transition.COMPLETED, message);
      Instant published = canaryPublishedAt == null ? now : canaryPublishedAt;
      clearRollout();
      canaryPublishedAt = published;
      running = false;
      steady();
    }

    /** Rollback or abort: back to stable (or, with no stable yet, a canary no agent applies). */
    private void takeBack(String reason, String message, String rollbackLabel) {
      long generation = in.candidate().generation() == null ? 0 : in.candidate().generation();
      String bounded = Messages.bounded(message);
      if (in.canary() != null) {
        drain();
      }
      aborted = new Aborted(cand, generation, reason, bounded, now);
      record(cand, generation, PolicyConditions.ABORTED.equals(reason) ? "Aborted" : "RolledBack");
      if (rollbackLabel == null) {
        events.add(new Event(Transition.ABORTED, bounded, null));
      } else {
        events.add(new Event(Transition.ROLLED_BACK, bounded, rollbackLabel));
      }
      clearRollout();
      canaryPublishedAt = null;
      running = false;
      holdAborted();
    }

    /** The published canary leaves the envelope: a next canary waits for every agent to see that (no 3 revisions). */
    private void drain() {
      if (stable != null && in.publishedSequence() != null) {
        drainAfter = in.publishedSequence();
        drainStartedAt = now;
      }
    }

    private void clearRollout() {
      canaryRevision = null;
      stepIndex = null;
      stepsHash = null;
      stepStartedAt = null;
      threshold = 0;
      weight = 0;
      pausedAt = null;
      analysis = null;
    }

    private void record(String revision, long generation, String outcome) {
      history.add(new History(revision, generation, outcome, now));
      while (history.size() > RolloutState.MAX_HISTORY) {
        history.remove(0);
      }
    }

    private void event(Transition t, String message) {
      events.add(new Event(t, Messages.bounded(message), null));
    }

    private void wake(Instant at) {
      if (wakeAt == null || at.isBefore(wakeAt)) {
        wakeAt = at;
      }
    }

    // ---- holds ----

    private void holdOutdated() {
      hold = true;
      String message = Messages.joinBounded("nothing new published: " + in.outdatedAgents().size()
          + " matched agent(s) do not list envelope schema version " + Envelope.SCHEMA_VERSION
          + " in their Lease annotation cacheplane.io/schema-versions; upgrade them: ", in.outdatedAgents());
      progressingReason = PolicyConditions.AGENTS_OUTDATED;
      progressingMessage = message;
    }

    private void holdAborted() {
      progressingReason = aborted.reason();
      progressingMessage = aborted.message();
    }

    private void steady() {
      String rev = stable.revision();
      if (agents.stream().allMatch(a -> a.serves(rev))) {
        if (canaryPublishedAt != null) {
          converged = Math.max(0, Duration.between(canaryPublishedAt, now).toSeconds());
          lastConvergence = converged;
          canaryPublishedAt = null;
          events.add(new Event(Transition.CONVERGED, "all " + agents.size() + " live agent(s) serve revision " + rev
              + " (" + converged + " s after it was first published)", null));
        }
      }
    }

    // ---- descriptions ----

    private String stepLabel() {
      if (stepIndex == null) {
        return "-";
      }
      if (stepIndex >= steps.size()) {
        return (stepIndex + 1) + "/" + steps.size() + " (complete)";
      }
      return (stepIndex + 1) + "/" + steps.size() + " (" + steps.get(stepIndex).describe() + ")";
    }

    private void describeStep() {
      if (stepIndex >= steps.size()) {
        progressingReason = PolicyConditions.STEP_PAUSED;
        progressingMessage = "all steps of revision " + cand + " done; promoting it to stable";
        return;
      }
      Strategy.Step step = steps.get(stepIndex);
      int n = agents.size();
      int k = Bucketing.canaryCount(n, weight);
      long serving = agents.stream().filter(a -> a.serves(cand)).count();
      String cohort = n == 0 ? "no live agent matches the policy's agentSelector now"
          : weight == 0 ? "no canary agent yet"
          : k + " of " + n + " live agent(s) targeted, " + serving + " serve revision " + cand
              + (k * 100L - (long) weight * n >= n ? " (" + n + " agent(s) are too few for exactly " + weight
                  + " %: " + k + " agent(s) = " + (k * 100 / n) + " %)" : "");
      if (step.isSetWeight()) {
        progressingReason = PolicyConditions.STEP_SET_WEIGHT;
        progressingMessage = "step " + stepLabel() + ": " + cohort + "; waiting for every canary agent to "
            + "acknowledge until " + stepStartedAt.plus(in.strategy().progressDeadline());
      } else {
        progressingReason = PolicyConditions.STEP_PAUSED;
        progressingMessage = "step " + stepLabel() + ": " + cohort
            + (step.pause() == null ? "" : "; bake until " + stepStartedAt.plus(step.pause()))
            + (analysis == null || analysis.lastResult() == null ? "" : "; " + analysis.lastResult());
      }
    }

    private List<AgentView> canaries() {
      return agents.stream().filter(a -> Bucketing.isCanary(a.bucket(), threshold)).toList();
    }

    private List<Long> buckets() {
      return agents.stream().map(AgentView::bucket).toList();
    }

    // ---- the decision ----

    private RolloutDecision finish() {
      String stableRev = stable == null ? null : stable.revision();
      RolloutTarget target;
      if (hold) {
        target = null;
      } else if (running) {
        PublishedRevision c = in.canary() != null && cand.equals(in.canary().revision()) ? in.canary()
            : in.candidate();
        target = new RolloutTarget(stable, new PublishedRevision(cand, c.generation(), c.spec(), threshold));
      } else if (aborted != null && stable == null) {
        PublishedRevision c = in.candidate();
        target = new RolloutTarget(null, new PublishedRevision(aborted.revision(), c.generation(), c.spec(), 0L));
      } else {
        target = stable == null ? null : new RolloutTarget(stable, null);
      }
      RolloutState next = hold ? in.previous() : new RolloutState(running ? canaryRevision : null,
          running ? stepIndex : null, running ? stepsHash : null, running ? stepStartedAt : null, canaryPublishedAt,
          running ? threshold : 0, running ? weight : 0, running ? pausedAt : null, running ? analysis : null,
          handled, aborted, history, lastConvergence, drainAfter, drainStartedAt);

      int stableCount = (int) agents.stream().filter(a -> a.serves(stableRev)).count();
      int canaryCount = running ? (int) agents.stream().filter(a -> a.serves(cand)).count() : 0;
      int rejected = (int) agents.stream().filter(AgentView::rejected).count();
      RolloutDecision.Tally tally = new RolloutDecision.Tally(agents.size(), stableCount, canaryCount, rejected,
          in.staleAgents());

      boolean allOnCandidate = cand.equals(stableRev) && !running && agents.stream().allMatch(a -> a.serves(cand));
      boolean noAgents = allOnCandidate && agents.isEmpty();
      String readyReason;
      String readyMessage;
      boolean degraded = false;
      String degradedReason = PolicyConditions.PUBLISHED;
      String degradedMessage;
      if (hold) {
        readyReason = PolicyConditions.AGENTS_OUTDATED;
        readyMessage = progressingMessage;
        degraded = true;
        degradedReason = PolicyConditions.AGENTS_OUTDATED;
        degradedMessage = progressingMessage;
      } else if (aborted != null) {
        readyReason = PolicyConditions.ABORTED.equals(aborted.reason()) ? PolicyConditions.ABORTED
            : PolicyConditions.ROLLED_BACK;
        readyMessage = aborted.message() + (stableRev == null ? "; no stable revision: no agent applies the policy"
            : "; agents serve stable revision " + stableRev);
        degraded = true;
        degradedReason = aborted.reason();
        degradedMessage = readyMessage;
      } else if (noAgents) {
        readyReason = PolicyConditions.NO_MATCHING_AGENTS;
        readyMessage = "no live agent matches agentSelector " + in.agentSelector() + ": revision " + cand
            + " is published as stable and agents that match get it when they appear"
            + (in.staleAgents() > 0 ? "; " + in.staleAgents() + " matched agent(s) have expired Leases" : "");
        degraded = true;
        degradedReason = PolicyConditions.NO_MATCHING_AGENTS;
        degradedMessage = readyMessage;
      } else if (allOnCandidate) {
        readyReason = PolicyConditions.PUBLISHED;
        readyMessage = "revision " + cand + " is stable and served by all " + agents.size() + " live matched agent(s)";
        degradedMessage = readyMessage;
      } else if (cand.equals(stableRev) && !running) {
        readyReason = PolicyConditions.AGENTS_CONVERGING;
        List<String> behind = agents.stream().filter(a -> !a.serves(cand)).map(AgentView::agent).toList();
        readyMessage = Messages.joinBounded("revision " + cand + " is stable; " + behind.size() + " of "
            + agents.size() + " live agent(s) do not serve it yet: ", behind);
        degradedMessage = "revision " + cand + " is stable";
      } else {
        readyReason = PolicyConditions.ROLLOUT_IN_PROGRESS;
        readyMessage = "revision " + cand + " is rolling out" + (progressingMessage == null ? ""
            : ": " + progressingMessage);
        degradedMessage = "rollout of revision " + cand + " in progress";
      }
      boolean progressing = running || PolicyConditions.DRAINING.equals(progressingReason)
          || PolicyConditions.SPEC_PAUSED.equals(progressingReason);
      String pReason = progressing ? progressingReason
          : hold || aborted != null ? progressingReason : PolicyConditions.ROLLOUT_COMPLETED;
      String pMessage = progressingMessage != null ? progressingMessage
          : "no rollout in progress; stable revision " + stableRev;
      boolean paused = pausedReason != null;
      conditions.add(new DesiredCondition(PolicyConditions.READY, allOnCandidate && !noAgents && !hold && aborted == null,
          readyReason, Messages.bounded(readyMessage)));
      conditions.add(new DesiredCondition(PolicyConditions.PROGRESSING, progressing, pReason,
          Messages.bounded(pMessage)));
      conditions.add(new DesiredCondition(PolicyConditions.DEGRADED, degraded, degradedReason,
          Messages.bounded(degradedMessage)));
      conditions.add(new DesiredCondition(PolicyConditions.PAUSED, paused,
          paused ? pausedReason : PolicyConditions.NOT_PAUSED,
          Messages.bounded(paused ? pausedMessage : "the rollout waits for no one")));
      if (degraded) {
        phase = PolicyPhase.Degraded;
      } else if (paused) {
        phase = PolicyPhase.Paused;
      } else if (allOnCandidate) {
        phase = PolicyPhase.Healthy;
      } else {
        phase = PolicyPhase.Progressing;
      }
      return new RolloutDecision(target, next, conditions, phase, tally, events, wakeAt, converged);
    }
  }
}
