package ai.onsembl.e2e.faults;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onsembl.e2e.BackendProcess;
import ai.onsembl.e2e.DashboardClient;
import ai.onsembl.e2e.LeakChecks;
import ai.onsembl.wrapper.testing.RunningProcess;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real wrapper process talks to a real backend process through our TCP proxy, which blackholes,
 * delays or cuts the link while a command prints numbered lines slowly. The backend declares the
 * silent agent OFFLINE "Heartbeat timeout" in time, the wrapper comes back, and the store holds
 * every line exactly once with gap-free sequences.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
@ExtendWith({LeakChecks.class, ThreadLeakCheck.class, TempFilesCheck.class})
class NetworkIT {
  private static final Duration HEARTBEAT_TIMEOUT = Duration.ofSeconds(2);
  private static final int LINES = 60;

  /** Prints "n1".."n60", one every 100 ms: about 6 s, long enough to span each fault. */
  private static final String SLOW_LINES =
      "i=1; while [ $i -le " + LINES + " ]; do echo n$i; i=$((i+1)); sleep 0.1; done";

  @TempDir Path home;

  private BackendProcess backend() {
    return BackendProcess.start(
        home.resolve("b.db"),
        home,
        "--heartbeat-interval",
        "500ms",
        "--heartbeat-timeout",
        HEARTBEAT_TIMEOUT.toMillis() + "ms");
  }

  private RunningProcess wrapper(TcpProxy proxy, String name) {
    return Wrappers.start(
        home,
        "ws://127.0.0.1:" + proxy.port(),
        name,
        "--agent",
        "mock",
        "--mode",
        "exec",
        "--exec-template",
        "sh -c {prompt}",
        "--heartbeat-interval",
        "500ms",
        "--log-level",
        "debug");
  }

  @Test
  void
      blackholeIsHeartbeatTimeoutWithinTimeoutPlusOneSecondThenTheWrapperReconnectsWithoutDuplicates()
          throws Exception {
    blackholeThenHeal(
        (backend, dash, commandId) -> assertNoLineTwiceAndInOrder(backend, dash, commandId));
  }

  @Test
  void blackholeLosesNoOutputLine() throws Exception {
    blackholeThenHeal(
        (backend, dash, commandId) -> assertEveryLineExactlyOnce(backend, dash, commandId));
  }

  private interface OutputCheck {
    void check(BackendProcess backend, DashboardClient dash, String commandId);
  }

  private void blackholeThenHeal(OutputCheck check) throws Exception {
    try (BackendProcess backend = backend();
        AutoCloseable stop = TempFilesCheck.graceful(backend);
        TcpProxy proxy = new TcpProxy(backend.wsPort());
        DashboardClient dash =
            DashboardClient.connect(backend.wsUrl(), BackendProcess.DASHBOARD_TOKEN);
        RunningProcess w = wrapper(proxy, "net-blackhole")) {
      backend.awaitAgent("net-blackhole", "ONLINE", Duration.ofSeconds(30));
      String agentId = backend.agentNamed("net-blackhole").orElseThrow().path("agentId").asText();
      String commandId = Wrappers.post(backend, "net-blackhole", SLOW_LINES);
      awaitStoredSequence(backend, commandId, 5);

      proxy.blackhole();
      long t0 = System.nanoTime();
      JsonNode offline =
          dash.await(
              "AGENT_STATUS",
              p ->
                  agentId.equals(p.path("agentId").asText())
                      && "OFFLINE".equals(p.path("status").asText()),
              HEARTBEAT_TIMEOUT.plusSeconds(5));
      long detectedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      assertThat(offline.path("payload").path("reason").asText()).isEqualTo("Heartbeat timeout");
      assertThat(
              backend.agentNamed("net-blackhole").orElseThrow().path("disconnectReason").asText())
          .isEqualTo("Heartbeat timeout");
      System.out.println(
          "blackhole: OFFLINE 'Heartbeat timeout' "
              + detectedMillis
              + " ms after the blackhole began");
      assertThat(detectedMillis)
          .as("ms from blackhole to OFFLINE (timeout %s + 1 s)", HEARTBEAT_TIMEOUT)
          .isLessThanOrEqualTo(HEARTBEAT_TIMEOUT.toMillis() + 1000);

      proxy.heal();
      long t1 = System.nanoTime();
      Awaitility.await("agent back ONLINE after the link healed")
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(25))
          .until(
              () ->
                  dash.frames("AGENT_STATUS").stream()
                      .map(f -> f.path("payload"))
                      .filter(p -> agentId.equals(p.path("agentId").asText()))
                      .reduce((a, b) -> b)
                      .map(p -> "ONLINE".equals(p.path("status").asText()))
                      .orElse(false));
      System.out.println(
          "blackhole: back ONLINE "
              + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t1)
              + " ms after the link healed");

      check.check(backend, dash, commandId);
      w.signal("TERM");
      assertThat(w.awaitExit(Duration.ofSeconds(15))).isEqualTo(143);
    }
  }

  @Test
  void delayedLinkKeepsTheAgentOnlineAndTheOutputInOrder() throws Exception {
    try (BackendProcess backend = backend();
        AutoCloseable stop = TempFilesCheck.graceful(backend);
        TcpProxy proxy = new TcpProxy(backend.wsPort());
        DashboardClient dash =
            DashboardClient.connect(backend.wsUrl(), BackendProcess.DASHBOARD_TOKEN);
        RunningProcess w = wrapper(proxy, "net-delay")) {
      backend.awaitAgent("net-delay", "ONLINE", Duration.ofSeconds(30));
      String agentId = backend.agentNamed("net-delay").orElseThrow().path("agentId").asText();
      proxy.delay(Duration.ofMillis(300));
      String commandId = Wrappers.post(backend, "net-delay", SLOW_LINES);
      assertEveryLineExactlyOnce(backend, dash, commandId);
      assertThat(dash.frames("AGENT_DISCONNECT"))
          .as("a 300 ms delay under a 2 s timeout is no disconnect")
          .noneMatch(f -> agentId.equals(f.path("payload").path("agentId").asText()));
      proxy.heal();
      w.signal("TERM");
      assertThat(w.awaitExit(Duration.ofSeconds(15))).isEqualTo(143);
    }
  }

  @Test
  void cutLinkIsSeenAtOnceAndTheWrapperReconnectsWithoutLosingALine() throws Exception {
    try (BackendProcess backend = backend();
        AutoCloseable stop = TempFilesCheck.graceful(backend);
        TcpProxy proxy = new TcpProxy(backend.wsPort());
        DashboardClient dash =
            DashboardClient.connect(backend.wsUrl(), BackendProcess.DASHBOARD_TOKEN);
        RunningProcess w = wrapper(proxy, "net-cut")) {
      backend.awaitAgent("net-cut", "ONLINE", Duration.ofSeconds(30));
      String agentId = backend.agentNamed("net-cut").orElseThrow().path("agentId").asText();
      String commandId = Wrappers.post(backend, "net-cut", SLOW_LINES);
      awaitStoredSequence(backend, commandId, 5);
      int before = proxy.accepted();
      proxy.cut();
      JsonNode gone =
          dash.await(
              "AGENT_DISCONNECT",
              p -> agentId.equals(p.path("agentId").asText()),
              Duration.ofSeconds(5));
      assertThat(gone.path("payload").path("reason").asText()).startsWith("Connection closed");
      Awaitility.await("a new connection through the proxy")
          .atMost(Duration.ofSeconds(30))
          .until(() -> proxy.accepted() > before);
      backend.awaitAgent("net-cut", "ONLINE", Duration.ofSeconds(30));
      assertEveryLineExactlyOnce(backend, dash, commandId);
      w.signal("TERM");
      assertThat(w.awaitExit(Duration.ofSeconds(15))).isEqualTo(143);
    }
  }

  /**
   * The command's last line arrived; no sequence and no line is stored or streamed twice, and all
   * are in order.
   */
  private static void assertNoLineTwiceAndInOrder(
      BackendProcess backend, DashboardClient dash, String commandId) {
    JsonNode done = awaitLastLine(backend, commandId);
    List<Long> seqs = new ArrayList<>();
    List<Integer> lines = new ArrayList<>();
    for (JsonNode o : done.path("output")) {
      seqs.add(o.path("sequence").asLong());
      for (String l : o.path("content").asText().split("\n")) {
        lines.add(Integer.parseInt(l.substring(1)));
      }
    }
    assertThat(seqs).as("stored sequences").isSorted().doesNotHaveDuplicates();
    assertThat(lines).as("stored lines").isSorted().doesNotHaveDuplicates().contains(1, LINES);
    List<Long> streamed =
        dash.frames("TERMINAL_STREAM").stream()
            .map(f -> f.path("payload"))
            .filter(p -> commandId.equals(p.path("commandId").asText()))
            .map(p -> p.path("sequence").asLong())
            .toList();
    assertThat(streamed).as("dashboard sequences").isSorted().doesNotHaveDuplicates();
    System.out.println(
        "command "
            + commandId
            + " ended "
            + done.path("status").asText()
            + " "
            + done.path("error").asText("")
            + ", stored sequences "
            + seqs);
  }

  private static JsonNode awaitLastLine(BackendProcess backend, String commandId) {
    JsonNode[] last = new JsonNode[1];
    Awaitility.await("command " + commandId + " printed its last line")
        .atMost(Duration.ofSeconds(40))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              last[0] = backend.get("/api/commands/" + commandId);
              return last[0].path("output").toString().contains("n" + LINES + "\\n");
            });
    return last[0];
  }

  private static void awaitStoredSequence(BackendProcess backend, String commandId, int atLeast) {
    Awaitility.await("sequence " + atLeast + " of " + commandId + " stored")
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> backend.get("/api/commands/" + commandId).path("output").size() >= atLeast);
  }

  /**
   * The command finished, and store and dashboard hold n1..n60 once each, in order, with sequences
   * 1..k.
   */
  private static void assertEveryLineExactlyOnce(
      BackendProcess backend, DashboardClient dash, String commandId) {
    JsonNode[] last = {awaitLastLine(backend, commandId)};
    List<JsonNode> stored = new ArrayList<>();
    last[0].path("output").forEach(stored::add);
    assertThat(stored)
        .extracting(o -> o.path("sequence").asLong())
        .as("stored sequences of %s", last[0])
        .containsExactlyElementsOf(
            IntStream.rangeClosed(1, stored.size()).mapToObj(i -> (long) i).toList());
    String text =
        stored.stream().map(o -> o.path("content").asText()).collect(Collectors.joining());
    String expected =
        IntStream.rangeClosed(1, LINES).mapToObj(i -> "n" + i + "\n").collect(Collectors.joining());
    assertThat(text).as("stored output, every line once and in order").isEqualTo(expected);
    List<JsonNode> streamed =
        dash.frames("TERMINAL_STREAM").stream()
            .map(f -> f.path("payload"))
            .filter(p -> commandId.equals(p.path("commandId").asText()))
            .toList();
    assertThat(streamed)
        .extracting(p -> p.path("sequence").asLong())
        .as("dashboard sequences")
        .containsExactlyElementsOf(
            IntStream.rangeClosed(1, streamed.size()).mapToObj(i -> (long) i).toList());
    System.out.println(
        "command "
            + commandId
            + " ended "
            + last[0].path("status").asText()
            + " "
            + last[0].path("error").asText("")
            + " with "
            + stored.size()
            + " chunks");
  }
}
