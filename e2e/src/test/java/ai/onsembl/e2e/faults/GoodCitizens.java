package ai.onsembl.e2e.faults;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onsembl.e2e.BackendProcess;
import ai.onsembl.e2e.DashboardClient;
import ai.onsembl.wrapper.testing.RunningProcess;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A well-behaved wrapper process and dashboard on a backend under attack: {@link #assertServed()}
 * proves both are still served (a command round trip through REST, the wrapper, the store and the
 * dashboard), and {@link #during} keeps proving it while an attack runs on another thread.
 */
final class GoodCitizens implements AutoCloseable {
  static final String AGENT = "good-agent";
  private final BackendProcess backend;
  private final RunningProcess wrapper;
  private final DashboardClient dash;
  private final String agentId;
  private int roundTrips;

  GoodCitizens(BackendProcess backend, Path home) throws Exception {
    this.backend = backend;
    this.wrapper =
        Wrappers.start(home, backend.wsUrl(), AGENT, "--agent", "mock", "--mode", "exec");
    this.dash = DashboardClient.connect(backend.wsUrl(), BackendProcess.DASHBOARD_TOKEN);
    backend.awaitAgent(AGENT, "ONLINE", Duration.ofSeconds(30));
    this.agentId = backend.agentNamed(AGENT).orElseThrow().path("agentId").asText();
  }

  /**
   * One command round trip for the good agent, seen by REST and by the good dashboard; it never
   * went OFFLINE.
   */
  void assertServed() {
    int n = ++roundTrips;
    String id = Wrappers.post(backend, AGENT, "print " + n + " lines");
    JsonNode done = Wrappers.awaitCommand(backend, id, "COMPLETED", Duration.ofSeconds(20));
    assertThat(done.path("output").toString()).contains("line " + n);
    dash.await(
        "COMMAND_STATUS",
        p ->
            id.equals(p.path("commandId").asText())
                && "COMPLETED".equals(p.path("status").asText()),
        Duration.ofSeconds(10));
    assertThat(dash.frames("AGENT_DISCONNECT"))
        .as("the good agent never disconnected")
        .noneMatch(f -> agentId.equals(f.path("payload").path("agentId").asText()));
    assertThat(backend.process().isAlive()).as("backend alive").isTrue();
    assertThat(wrapper.isAlive()).as("good wrapper alive").isTrue();
  }

  /**
   * Runs {@code attack} on another thread and round-trips commands until it is over (at least
   * once).
   */
  <T> T during(java.util.concurrent.Callable<T> attack) throws Exception {
    ExecutorService ex = Executors.newSingleThreadExecutor(r -> new Thread(r, "attack"));
    try {
      CompletableFuture<T> f =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return attack.call();
                } catch (Exception e) {
                  throw new java.util.concurrent.CompletionException(e);
                }
              },
              ex);
      do {
        assertServed();
      } while (!f.isDone());
      return f.get(1, TimeUnit.SECONDS);
    } finally {
      ex.shutdownNow();
      ex.awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  int roundTrips() {
    return roundTrips;
  }

  @Override
  public void close() {
    dash.close();
    wrapper.signal("TERM");
    wrapper.awaitExit(Duration.ofSeconds(15));
    wrapper.close();
  }
}
