package io.cacheplane.agent.report;

import io.cacheplane.agent.PolicyState;
import io.cacheplane.api.contract.AgentReport;
import io.cacheplane.api.v1alpha1.CacheplaneApi;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Per-policy request counters of the revision each policy serves on this agent: the {@code counters} of the agent
 * report ({@link AgentReport.Counters}). Cumulative since this agent started serving that revision: a slot is opened
 * (at zero) when a policy gets an applied revision, replaced by a fresh one when the serving revision changes, and
 * dropped when the policy stops serving. Every serving policy is counted; the report only shows the counters of
 * policies under analysis ({@link PolicyState#underAnalysis()}).
 *
 * <p>Hot path: {@link #record} is two map look-ups and {@link LongAdder} increments, no allocation, no lock, no I/O;
 * the reporter reads the adders on its heartbeat ({@link #read}). Requests that arrive between the swap of a route
 * table and the following {@link #track} (a few microseconds, on the watcher's thread) are counted for the revision
 * that was serving before.
 *
 * <p>Thread-safe.
 */
public final class RevisionCounters {

  /** The counters of one serving revision. */
  private static final class Slot {
    final String revision;
    final LongAdder requests = new LongAdder();
    final LongAdder errors5xx = new LongAdder();
    final LongAdder upstreamErrors = new LongAdder();

    Slot(String revision) {
      this.revision = revision;
    }
  }

  private final Map<String, Slot> routePolicies = new ConcurrentHashMap<>();
  private final Map<String, Slot> cachePolicies = new ConcurrentHashMap<>();

  /**
   * Counts one answered request of a matched route: toward its RoutePolicy and, when the route references one,
   * toward its CachePolicy. A policy that serves no revision here is not counted.
   *
   * @param routePolicy the RoutePolicy of the route (non-null)
   * @param cachePolicyRef the route's {@code cachePolicyRef}, or {@code null}
   * @param status the HTTP status answered (the agent's own 413/502/504 included); ≥ 500 counts as a 5xx error
   * @param upstreamError whether the answer is an upstream failure (connect error, timeout, broken exchange)
   */
  public void record(String routePolicy, String cachePolicyRef, int status, boolean upstreamError) {
    count(routePolicies.get(routePolicy), status, upstreamError);
    if (cachePolicyRef != null) {
      count(cachePolicies.get(cachePolicyRef), status, upstreamError);
    }
  }

  private static void count(Slot slot, int status, boolean upstreamError) {
    if (slot == null) {
      return;
    }
    slot.requests.increment();
    if (status >= 500) {
      slot.errors5xx.increment();
    }
    if (upstreamError) {
      slot.upstreamErrors.increment();
    }
  }

  /**
   * Aligns the slots with what serves now: a fresh slot for each policy whose applied revision is new or changed,
   * the slot kept for an unchanged revision (also while a newer envelope is being rejected), no slot for a policy
   * without an applied revision or absent from {@code states}.
   *
   * @param states the applier's states ({@link io.cacheplane.agent.config.PolicyApplier#states()})
   */
  public synchronized void track(List<PolicyState> states) {
    Set<String> routes = new HashSet<>();
    Set<String> cachesSeen = new HashSet<>();
    for (PolicyState s : states) {
      if (s.appliedRevision() == null) {
        continue;
      }
      Map<String, Slot> slots = slots(s.kind());
      if (slots == null) {
        continue;
      }
      (slots == routePolicies ? routes : cachesSeen).add(s.name());
      Slot current = slots.get(s.name());
      if (current == null || !current.revision.equals(s.appliedRevision())) {
        slots.put(s.name(), new Slot(s.appliedRevision()));
      }
    }
    routePolicies.keySet().retainAll(routes);
    cachePolicies.keySet().retainAll(cachesSeen);
  }

  /**
   * The counters of a policy's serving revision.
   *
   * @param kind {@code RoutePolicy} or {@code CachePolicy}
   * @param name the policy name
   * @param revision the revision the caller believes is serving
   * @return cumulative counts since this agent started serving {@code revision}; {@code null} when another revision
   *     (or none) is counted for that policy
   */
  public AgentReport.Counters read(String kind, String name, String revision) {
    Map<String, Slot> slots = slots(kind);
    Slot slot = slots == null ? null : slots.get(name);
    if (slot == null || !Objects.equals(slot.revision, revision)) {
      return null;
    }
    // read upstream errors and 5xx before requests: a concurrent request is then never counted as an error
    // without being counted as a request
    long upstream = slot.upstreamErrors.sum();
    long errors = slot.errors5xx.sum();
    long requests = slot.requests.sum();
    return new AgentReport.Counters(slot.revision, requests, errors, upstream);
  }

  private Map<String, Slot> slots(String kind) {
    if (CacheplaneApi.KIND_ROUTE_POLICY.equals(kind)) {
      return routePolicies;
    }
    if (CacheplaneApi.KIND_CACHE_POLICY.equals(kind)) {
      return cachePolicies;
    }
    return null;
  }
}
