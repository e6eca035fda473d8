package ai.onsembl.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** One {@code onsembl-agent start} process the bench launched, with the times it measured. */
final class Wrapper {
  /**
   * How to start the wrapper JVM: the launcher as shipped, without its CDS archive, or plain java.
   */
  enum Variant {
    SHIPPED("launcher as shipped (its flags + AppCDS archive)"),
    NO_CDS("launcher flags, AppCDS off (ONSEMBL_NO_CDS=1)"),
    JVM_DEFAULTS("plain `java -cp lib/*` (JVM defaults: G1, C2, default heap, default CDS)");

    final String label;

    Variant(String label) {
      this.label = label;
    }
  }

  final String agentId;
  final Process process;
  final long startNanos;
  final CompletableFuture<Long> exitNanos = new CompletableFuture<>();
  final List<ProcessHandle> tree = new ArrayList<>();

  private Wrapper(String agentId, Process process, long startNanos) {
    this.agentId = agentId;
    this.process = process;
    this.startNanos = startNanos;
    process.onExit().thenRun(() -> exitNanos.complete(System.nanoTime()));
  }

  /** Spawns {@code start --agent-id ID -- child...} against the backend, in a fresh state dir. */
  static Wrapper launch(Variant v, BackendProcess backend, String agentId, String... child)
      throws IOException {
    return launch(v, Procs.dist(), backend, agentId, child);
  }

  /** As above with {@code env} added to the wrapper's environment (e.g. ONSEMBL_JAVA_OPTS). */
  static Wrapper launch(
      Variant v, BackendProcess backend, String agentId, Map<String, String> env, String... child)
      throws IOException {
    return launch(v, Procs.dist(), backend, agentId, env, child);
  }

  /**
   * As above with the distribution in {@code dist} (to compare builds of it, e.g. with and without
   * an archive).
   */
  static Wrapper launch(
      Variant v, Path dist, BackendProcess backend, String agentId, String... child)
      throws IOException {
    return launch(v, dist, backend, agentId, Map.of(), child);
  }

  private static Wrapper launch(
      Variant v,
      Path dist,
      BackendProcess backend,
      String agentId,
      Map<String, String> env,
      String... child)
      throws IOException {
    Path state = Files.createTempDirectory("bench-wrapper");
    state.toFile().deleteOnExit();
    List<String> cmd = new ArrayList<>();
    if (v == Variant.JVM_DEFAULTS) {
      cmd.addAll(
          List.of(
              Path.of(System.getProperty("java.home"), "bin", "java").toString(),
              "-Donsembl.home=" + dist,
              "-cp",
              dist.resolve("lib") + "/*",
              "ai.onsembl.cli.OnsemblAgent"));
    } else {
      cmd.add(dist.resolve("bin/onsembl-agent").toString());
    }
    cmd.addAll(
        List.of(
            "start",
            "--server",
            backend.wsUrl,
            "--agent-id",
            agentId,
            "--name",
            agentId,
            "--state-dir",
            state.toString(),
            "--log-level",
            "warn",
            "--child-grace",
            "2s",
            "--"));
    cmd.addAll(List.of(child));
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.DISCARD);
    pb.environment().put("ONSEMBL_TOKEN", BackendProcess.AGENT_TOKEN);
    pb.environment().put("ONSEMBL_STATE_DIR", state.toString());
    if (v == Variant.NO_CDS) {
      pb.environment().put("ONSEMBL_NO_CDS", "1");
    }
    pb.environment().putAll(env);
    long t0 = System.nanoTime();
    return new Wrapper(agentId, pb.start(), t0);
  }

  /**
   * Remembers the process tree now (before a SIGKILL re-parents it) so {@link #reap()} can kill it.
   */
  void snapshotTree() {
    tree.addAll(process.descendants().toList());
  }

  long rssKib() {
    return Procs.rssKib(process.pid());
  }

  /** Stops it (TERM, then KILL) and whatever of its tree is left. */
  void reap() {
    snapshotTree();
    Procs.stop(process, Duration.ofSeconds(10));
    tree.forEach(ProcessHandle::destroyForcibly);
  }
}
