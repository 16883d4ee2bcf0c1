package io.cacheplane.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Where the repository and the cached Kubernetes tools are, computed exactly as {@code scripts/k8s/env.sh} does:
 * {@code CACHEPLANE_CACHE_DIR}, else {@code $XDG_CACHE_HOME/cacheplane}, else {@code ~/.cache/cacheplane}; the 1.20
 * binaries (kube-apiserver, kube-controller-manager, etcd, kubectl 1.20.2) in {@code <cache>/k8s/1.20.2-linux-amd64}
 * ({@code CACHEPLANE_K8S_BIN_DIR}), kubectl 1.35 and helm 4 in {@code <cache>/bin}.
 *
 * @param repoRoot the repository root (holds {@code scripts/k8s/start.sh}, {@code crds/}, {@code helm/})
 * @param cacheDir {@code CACHEPLANE_CACHE_DIR}
 * @param k8sBinDir {@code CACHEPLANE_K8S_BIN_DIR}
 */
public record K8sTools(Path repoRoot, Path cacheDir, Path k8sBinDir) {

  public static final String K8S_VERSION = "1.20.2";

  /** Finds the repository from the working directory (Maven runs the tests in {@code src-test/}) and the cache. */
  public static K8sTools locate() {
    return new K8sTools(findRepoRoot(Path.of("").toAbsolutePath()), cacheDir(System.getenv()), null);
  }

  public K8sTools {
    if (k8sBinDir == null) {
      k8sBinDir = cacheDir.resolve("k8s").resolve(K8S_VERSION + "-linux-amd64");
    }
  }

  static Path cacheDir(Map<String, String> env) {
    String explicit = env.get("CACHEPLANE_CACHE_DIR");
    if (explicit != null && !explicit.isEmpty()) {
      return Path.of(explicit);
    }
    String xdg = env.get("XDG_CACHE_HOME");
    Path base = xdg != null && !xdg.isEmpty() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
    return base.resolve("cacheplane");
  }

  static Path findRepoRoot(Path start) {
    for (Path dir = start; dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("scripts/k8s/start.sh")) && Files.isDirectory(dir.resolve("crds"))) {
        return dir;
      }
    }
    throw new IllegalStateException("cannot find the repository root (a directory with scripts/k8s/start.sh and"
        + " crds/) from " + start);
  }

  /** kubectl of the server's minor version (1.20.2): use it against the local apiserver. */
  public Path kubectl() {
    return k8sBinDir.resolve("kubectl");
  }

  /** helm 4 (from the cache's {@code bin/}). */
  public Path helm() {
    return cacheDir.resolve("bin").resolve("helm");
  }

  public Path startScript() {
    return repoRoot.resolve("scripts/k8s/start.sh");
  }

  public Path stopScript() {
    return repoRoot.resolve("scripts/k8s/stop.sh");
  }

  public Path chart() {
    return repoRoot.resolve("helm/cacheplane");
  }

  /** The executables the E2E suite needs and that are missing (not executable files). */
  public List<Path> missing() {
    List<Path> missing = new ArrayList<>();
    for (String b : List.of("etcd", "kube-apiserver", "kube-controller-manager", "kubectl")) {
      if (!Files.isExecutable(k8sBinDir.resolve(b))) {
        missing.add(k8sBinDir.resolve(b));
      }
    }
    if (!Files.isExecutable(helm())) {
      missing.add(helm());
    }
    return missing;
  }

  /** Fails with instructions when a binary is missing: the E2E suite never skips silently. */
  public void requireInstalled() {
    List<Path> missing = missing();
    if (!missing.isEmpty()) {
      throw new IllegalStateException("The E2E tests need a local Kubernetes " + K8S_VERSION + " control plane,"
          + " kubectl and helm, and these are missing: " + missing + ". Run scripts/k8s/install.sh (from "
          + repoRoot + "; cached in " + cacheDir + ", overridable with CACHEPLANE_CACHE_DIR) and retry."
          + " scripts/test-all.sh runs it for you.");
    }
  }
}
