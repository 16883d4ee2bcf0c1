package io.cacheplane.agent;

import java.nio.file.Path;

/**
 * Files and directories an agent reads or writes, each optional ({@code null}: the feature is off). In the chart they
 * are mounted volumes: the state directory an {@code emptyDir} (or a persistent volume), the others Secret files.
 *
 * @param stateDir directory where every applied envelope is persisted as last-known-good and read back at start;
 *     {@code null}: nothing is persisted (the agent then needs the API server to serve after a restart)
 * @param encryptionKeyFile file holding the key of {@code sensitive} caches (32 bytes, raw or base64); {@code null}:
 *     sensitive CachePolicies are rejected by this agent
 * @param purgeTokenFile file holding the bearer token that authorizes the management port's purge endpoint;
 *     {@code null}: the purge endpoint is off (404)
 * @param upstreamCaFile PEM bundle of the certificate authorities trusted for https upstreams, in addition to
 *     the JVM's defaults; {@code null}: the JVM's defaults only
 */
public record AgentFiles(Path stateDir, Path encryptionKeyFile, Path purgeTokenFile, Path upstreamCaFile) {

  /** No state directory, no key, no purge token, default trust. */
  public static AgentFiles none() {
    return new AgentFiles(null, null, null, null);
  }

  public AgentFiles withStateDir(Path dir) {
    return new AgentFiles(dir, encryptionKeyFile, purgeTokenFile, upstreamCaFile);
  }

  public AgentFiles withEncryptionKeyFile(Path file) {
    return new AgentFiles(stateDir, file, purgeTokenFile, upstreamCaFile);
  }

  public AgentFiles withPurgeTokenFile(Path file) {
    return new AgentFiles(stateDir, encryptionKeyFile, file, upstreamCaFile);
  }

  public AgentFiles withUpstreamCaFile(Path file) {
    return new AgentFiles(stateDir, encryptionKeyFile, purgeTokenFile, file);
  }
}
