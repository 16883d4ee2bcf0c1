package io.cacheplane.local;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The manifest files of a watched folder and the policies they declare, kept in step with the API as
 * {@code kubectl apply} of each saved file would, with what an editor does in mind:
 *
 * <ul>
 *   <li>A file that is blank, holds only comments or empty documents, or does not parse changes nothing: what it
 *       applied before stays until it reads again.</li>
 *   <li>A policy is deleted only when its file is deleted, or a file that still declares other policies stops
 *       declaring it, and no other file declares it.</li>
 *   <li>When two files declare the same policy, the file saved last wins; when that file goes away or stops
 *       declaring it, the version of a file that still declares it (the one saved most recently) is applied.</li>
 * </ul>
 *
 * <p>Everything it does is reported, one line at a time, to the {@code log} given. Thread-safe.
 */
public final class ManifestFolder {

  private final KubernetesClient client;
  private final String namespace;
  private final Consumer<String> log;
  /** Files and what they declare, in the order they were last applied (most recent last). */
  private final LinkedHashMap<Path, List<HasMetadata>> declared = new LinkedHashMap<>();
  private final Map<Path, String> appliedContent = new HashMap<>();
  /** Which file's version of a policy ({@code kind/name}) the API holds. */
  private final Map<String, Path> source = new HashMap<>();

  /**
   * @param client a client of the API the policies go to
   * @param namespace the namespace of every policy; a manifest naming another namespace is refused
   * @param log receives one line per thing done or refused
   */
  public ManifestFolder(KubernetesClient client, String namespace, Consumer<String> log) {
    this.client = client;
    this.namespace = namespace;
    this.log = log;
  }

  /** Applies the file as saved now (see the class comment for what a blank or broken file does). */
  public synchronized void apply(Path file) {
    String content;
    List<HasMetadata> policies;
    try {
      content = Files.readString(file);
      if (content.equals(appliedContent.get(file))) {
        return;
      }
      if (content.isBlank()) {
        log.accept(file.getFileName() + " is empty; keeping what it applied before");
        return;
      }
      policies = Manifests.read(file, namespace);
    } catch (IOException | RuntimeException e) {
      log.accept("cannot apply " + file.getFileName() + ": " + Manifests.describe(e) + " (nothing changed)");
      return;
    }
    if (policies.isEmpty()) {
      log.accept(file.getFileName() + " declares no CachePolicy or RoutePolicy (only comments or empty documents); "
          + "keeping what it applied before (delete the file to delete its policies)");
      return;
    }
    appliedContent.put(file, content);
    List<HasMetadata> before = declared.remove(file);
    declared.put(file, policies);
    for (HasMetadata policy : policies) {
      declaredElsewhere(file, policy).ifPresent(other -> log.accept("warning: " + label(policy)
          + " is also declared in " + other.getFileName() + "; the file saved last wins"));
      applyFrom(file, policy, "");
    }
    for (HasMetadata gone : removedSince(before, policies)) {
      handOver(file, gone, "no longer in " + file.getFileName());
    }
  }

  /** Forgets a deleted file: deletes its policies that no other file declares, and hands the others over. */
  public synchronized void remove(Path file) {
    appliedContent.remove(file);
    List<HasMetadata> gone = declared.remove(file);
    for (HasMetadata policy : gone == null ? List.<HasMetadata>of() : gone) {
      handOver(file, policy, file.getFileName() + " was removed");
    }
  }

  /** {@code file} no longer declares {@code policy}: delete it, or apply the version of a file that still does. */
  private void handOver(Path file, HasMetadata policy, String why) {
    Optional<Path> other = declaredElsewhere(file, policy);
    if (other.isEmpty()) {
      source.remove(label(policy));
      try {
        Manifests.delete(client, namespace, policy);
        log.accept(label(policy) + " deleted (" + why + ")");
      } catch (RuntimeException e) {
        log.accept("cannot delete " + label(policy) + ": " + Manifests.describe(e));
      }
    } else if (file.equals(source.get(label(policy)))) {
      HasMetadata theirs = declared.get(other.get()).stream()
          .filter(p -> label(p).equals(label(policy))).reduce((a, b) -> b).orElseThrow();
      applyFrom(other.get(), theirs, "; " + why);
    } else {
      log.accept(label(policy) + " kept: still declared in " + other.get().getFileName());
    }
  }

  private void applyFrom(Path file, HasMetadata policy, String why) {
    try {
      String verb = Manifests.apply(client, namespace, policy);
      source.put(label(policy), file);
      log.accept(label(policy) + " " + verb + " (from " + file.getFileName() + why + ")");
    } catch (RuntimeException e) {
      log.accept("cannot apply " + label(policy) + " from " + file.getFileName() + ": " + Manifests.describe(e));
    }
  }

  /** The file saved most recently, other than {@code file}, that declares the policy. */
  private Optional<Path> declaredElsewhere(Path file, HasMetadata policy) {
    List<Path> files = new ArrayList<>(declared.keySet());
    for (int i = files.size() - 1; i >= 0; i--) {
      Path other = files.get(i);
      if (!other.equals(file) && declared.get(other).stream().anyMatch(p -> label(p).equals(label(policy)))) {
        return Optional.of(other);
      }
    }
    return Optional.empty();
  }

  private static List<HasMetadata> removedSince(List<HasMetadata> before, List<HasMetadata> now) {
    if (before == null) {
      return List.of();
    }
    List<String> keep = now.stream().map(ManifestFolder::label).toList();
    return before.stream().filter(p -> !keep.contains(label(p))).toList();
  }

  static String label(HasMetadata policy) {
    return policy.getKind().toLowerCase() + "/" + policy.getMetadata().getName();
  }
}
