package io.cacheplane.operator.it;

import io.cacheplane.api.contract.AgentLeases;
import io.cacheplane.api.contract.AgentReport;
import io.cacheplane.api.contract.Bucketing;
import io.cacheplane.api.contract.ConfigMapNames;
import io.cacheplane.api.contract.Envelope;
import io.cacheplane.api.contract.EnvelopeCodec;
import io.cacheplane.api.contract.PublishedRevision;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Agents as the operator sees them, written by the test exactly as real agents write them: a Pod each, and a Lease
 * {@link AgentLeases#leaseName} labelled with the pod's labels plus {@code cacheplane.io/agent: "true"}, owned by the
 * Pod, with {@code cacheplane.io/schema-versions} and the {@link AgentLeases#encode encoded} report. {@link #sync}
 * makes every agent "apply" the policy's envelope by its bucket (canary iff {@code bucket < threshold}) and write its
 * report on change. Lease duration is an hour: the tests advance the operator's clock by minutes.
 */
final class SimulatedAgents {

  /** One agent's behaviour and counters. */
  static final class Agent {
    final String name;
    String podUid;
    /** Refuses this revision (NACK) when the envelope gives it to the agent. */
    String rejects;
    /** Never applies anything new (no ACK). */
    boolean stuck;
    String serving;
    String rejected;
    Long sequence;
    final Map<String, long[]> counters = new HashMap<>(); // revision → {requests, errors5xx}

    Agent(String name) {
      this.name = name;
    }
  }

  private final KubernetesClient client;
  private final String namespace;
  final Map<String, Agent> agents = new LinkedHashMap<>();
  /** Every distinct set of served revisions seen after a report write (for "never three revisions"). */
  final List<Set<String>> observedMixes = new ArrayList<>();

  SimulatedAgents(KubernetesClient client, String namespace, int count) {
    this.client = client;
    this.namespace = namespace;
    for (int i = 0; i < count; i++) {
      String name = "agent-" + i;
      Pod pod = client.pods().inNamespace(namespace).resource(new PodBuilder().withNewMetadata().withName(name)
          .withNamespace(namespace).addToLabels("app", "agent").endMetadata().withNewSpec().addNewContainer()
          .withName("agent").withImage("cacheplane/agent").endContainer().endSpec().build()).create();
      Agent a = new Agent(name);
      a.podUid = pod.getMetadata().getUid();
      agents.put(name, a);
      client.leases().inNamespace(namespace).resource(new LeaseBuilder()
          .withNewMetadata().withName(AgentLeases.leaseName(name)).withNamespace(namespace)
            .addToLabels("app", "agent").addToLabels(AgentLeases.AGENT_LABEL, "true")
            .addToAnnotations(AgentLeases.SCHEMA_VERSIONS_ANNOTATION, "1")
            .addToAnnotations(AgentLeases.REPORT_ANNOTATION, AgentLeases.encode(new AgentReport(name, List.of())))
            .addNewOwnerReference().withApiVersion("v1").withKind("Pod").withName(name).withUid(a.podUid)
            .endOwnerReference()
          .endMetadata()
          .withNewSpec().withHolderIdentity(name).withLeaseDurationSeconds(3600)
            .withRenewTime(java.time.ZonedDateTime.parse("2026-11-29T08:00:00Z")).endSpec()
          .build()).create();
    }
  }

  /** Every agent applies the current envelope of {@code policy} (if any) and writes its report when it changed. */
  synchronized void sync(HasMetadata policy) {
    String kind = policy.getKind();
    String name = policy.getMetadata().getName();
    String uid = policy.getMetadata().getUid();
    ConfigMap cm = client.configMaps().inNamespace(namespace).withName(ConfigMapNames.configMapName(kind, name)).get();
    Envelope e = null;
    if (cm != null) {
      try {
        e = EnvelopeCodec.decode(cm.getData().get(Envelope.DATA_KEY));
      } catch (Exception ex) {
        e = null;
      }
    }
    for (Agent a : agents.values()) {
      if (e != null && !a.stuck && (a.sequence == null || e.sequence() > a.sequence)) {
        boolean canary = e.canary() != null && Bucketing.isCanary(Bucketing.bucket(uid, a.name), e.canary().threshold());
        PublishedRevision want = canary ? e.canary() : e.stable();
        if (want != null && want.revision().equals(a.rejects)) {
          a.rejected = want.revision();
        } else {
          a.serving = want == null ? null : want.revision();
          a.rejected = null;
        }
        a.sequence = e.sequence();
      }
      AgentReport.Counters counters = null;
      if (e != null && e.canary() != null && a.serving != null) {
        long[] c = a.counters.getOrDefault(a.serving, new long[2]);
        counters = new AgentReport.Counters(a.serving, c[0], c[1], 0);
      }
      AgentReport.PolicyReport entry = a.sequence == null ? null : new AgentReport.PolicyReport(kind, name, uid,
          a.sequence, a.serving, a.rejected == null ? AgentReport.APPLIED : AgentReport.REJECTED, a.rejected,
          a.rejected == null ? null : "InvalidSpec",
          a.rejected == null ? null : "spec.cache.maximumSize: refused by this agent", counters);
      String report = AgentLeases.encode(new AgentReport(a.name, entry == null ? List.of() : List.of(entry)));
      Lease lease = client.leases().inNamespace(namespace).withName(AgentLeases.leaseName(a.name)).get();
      if (!report.equals(lease.getMetadata().getAnnotations().get(AgentLeases.REPORT_ANNOTATION))) {
        client.leases().inNamespace(namespace).withName(AgentLeases.leaseName(a.name)).edit(l -> {
          l.getMetadata().getAnnotations().put(AgentLeases.REPORT_ANNOTATION, report);
          return l;
        });
        Set<String> mix = new TreeSet<>();
        agents.values().forEach(x -> {
          if (x.serving != null) {
            mix.add(x.serving);
          }
        });
        observedMixes.add(mix);
      }
    }
  }

  /** Renews every Lease without changing anything else (heartbeat). */
  void renewAll(Instant at) {
    for (Agent a : agents.values()) {
      client.leases().inNamespace(namespace).withName(AgentLeases.leaseName(a.name)).edit(l -> {
        l.getSpec().setRenewTime(at.atZone(java.time.ZoneOffset.UTC));
        return l;
      });
    }
  }

  /** Adds traffic to every agent serving {@code revision}. */
  synchronized void traffic(String revision, long requestsEach, long errorsEach) {
    for (Agent a : agents.values()) {
      if (revision.equals(a.serving)) {
        long[] c = a.counters.computeIfAbsent(revision, r -> new long[2]);
        c[0] += requestsEach;
        c[1] += errorsEach;
      }
    }
  }

  /** How many agents serve {@code revision}. */
  long serving(String revision) {
    return agents.values().stream().filter(a -> Objects.equals(revision, a.serving)).count();
  }

  /** The names of the agents whose bucket is below {@code threshold} for {@code policyUid}. */
  Set<String> cohort(String policyUid, long threshold) {
    Set<String> out = new HashSet<>();
    agents.keySet().forEach(n -> {
      if (Bucketing.isCanary(Bucketing.bucket(policyUid, n), threshold)) {
        out.add(n);
      }
    });
    return out;
  }
}
