package ai.onsembl.wrapper.testing;

import ai.onsembl.testing.ScriptedServer;
import ai.onsembl.wrapper.AgentWrapper;
import ai.onsembl.wrapper.process.ProcessTree;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The in-process wrappers of one test, their scripted backends and their real child processes:
 * {@link #close()} stops the wrappers, waits for their runs, closes the backends and kills every
 * process whose command line holds {@link #marker()} (give it to every agent as an argument).
 */
public final class InProcessWrappers implements AutoCloseable {
  private final String marker;
  private final List<AgentWrapper> wrappers = new CopyOnWriteArrayList<>();
  private final List<CompletableFuture<Integer>> runs = new CopyOnWriteArrayList<>();
  private final List<ScriptedServer> servers = new CopyOnWriteArrayList<>();

  /**
   * @param prefix starts the marker, so a leftover process names its test
   */
  public InProcessWrappers(String prefix) {
    this.marker = prefix + "-" + UUID.randomUUID();
  }

  /** Unique to this test: an argument of every agent it starts. */
  public String marker() {
    return marker;
  }

  /** Starts {@code s}; closed with the rest. */
  public ScriptedServer server(ScriptedServer s) throws InterruptedException {
    servers.add(s);
    return s.start();
  }

  /** Runs {@code w} on a thread of its own; the future completes with its exit code. */
  public CompletableFuture<Integer> start(AgentWrapper w) {
    wrappers.add(w);
    CompletableFuture<Integer> run = CompletableFuture.supplyAsync(w::run);
    runs.add(run);
    return run;
  }

  /** A round of a loop is over: {@code w} ended and {@code s} is closed now. */
  public void done(AgentWrapper w, ScriptedServer s) throws InterruptedException {
    wrappers.remove(w);
    s.close();
    servers.remove(s);
  }

  /** Running processes whose command line holds the marker. */
  public List<ProcessHandle> withMarker() {
    return ProcessHandle.allProcesses()
        .filter(
            p -> p.info().arguments().map(a -> String.join(" ", a).contains(marker)).orElse(false))
        .filter(ProcessTree::isRunning)
        .toList();
  }

  @Override
  public void close() throws Exception {
    for (AgentWrapper w : wrappers) {
      w.stop("test over");
    }
    for (CompletableFuture<Integer> r : runs) {
      try {
        r.get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        // reported by the test itself
      }
    }
    for (ScriptedServer s : servers) {
      s.close();
    }
    ProcessTree.killAll(withMarker(), Duration.ofSeconds(2));
  }
}
