package io.cacheplane.faults;

/**
 * A way to take the Kubernetes API away from the agents and give it back: a {@link FaultProxy} between their clients
 * and the fabric8 mock server, or the real kube-apiserver stopped and started again. Both calls block until the fault
 * is in force (the API refuses the agents) or lifted (the API answers again).
 */
interface ApiFault {

  /** Takes the API away: open connections are closed and new ones refused. Idempotent. */
  void cut();

  /** Gives the API back. Idempotent. */
  void restore();

  /** A short name for summaries, e.g. {@code mock-server+proxy} or {@code kube-apiserver}. */
  String name();
}
