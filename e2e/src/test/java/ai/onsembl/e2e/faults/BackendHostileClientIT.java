package ai.onsembl.e2e.faults;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onsembl.e2e.BackendProcess;
import ai.onsembl.e2e.DashboardClient;
import ai.onsembl.e2e.LeakChecks;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Backend side: a hostile client on {@code /ws/agent} and {@code /ws/dashboard} of a real backend
 * process. Each attack gets the answer docs/PROTOCOL.md gives it, and a well-behaved wrapper
 * process and dashboard are served throughout (command round trips while the attack runs, never
 * OFFLINE).
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith({LeakChecks.class, ThreadLeakCheck.class, TempFilesCheck.class})
class BackendHostileClientIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int AGENT_RATE =
      100; // BackendConfig default per-connection messages/s on /ws/agent
  private static final int DASHBOARD_RATE = 50; // and on /ws/dashboard
  private BackendProcess backend;
  private GoodCitizens good;

  @BeforeAll
  void start(@TempDir Path home) throws Exception {
    backend = BackendProcess.start(home.resolve("b.db"), home);
    good = new GoodCitizens(backend, home);
    good.assertServed();
  }

  @AfterEach
  void everyoneElseStillServed() {
    good.assertServed();
  }

  @AfterAll
  void stop() throws Exception {
    good.close();
    TempFilesCheck.graceful(backend).close();
    backend.close();
  }

  private RawWebSocket agent(String agentId) throws Exception {
    RawWebSocket ws =
        RawWebSocket.connect(
            backend.wsPort(), "/ws/agent?agentId=" + agentId, BackendProcess.AGENT_TOKEN);
    ws.sendText(
        "{\"type\":\"AGENT_CONNECT\",\"id\":\"connect-"
            + agentId
            + "\",\"timestamp\":"
            + System.currentTimeMillis()
            + ",\"payload\":{\"agentId\":\""
            + agentId
            + "\",\"name\":\""
            + agentId
            + "\",\"agentType\":\"CUSTOM\",\"version\":\"1\",\"hostMachine\":\"fuzz\",\"capabilities\":{\"maxTokens\":1,"
            + "\"supportsInterrupt\":false,\"supportsTrace\":false}}}");
    JsonNode ack = awaitType(ws, "ACK", Duration.ofSeconds(10));
    assertThat(ack.path("payload").path("success").asBoolean()).as(ack.toString()).isTrue();
    return ws;
  }

  private RawWebSocket dashboard() {
    return RawWebSocket.connect(backend.wsPort(), "/ws/dashboard", BackendProcess.DASHBOARD_TOKEN);
  }

  private static JsonNode awaitType(RawWebSocket ws, String type, Duration timeout)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<String> seen = new ArrayList<>();
    while (System.nanoTime() < deadline) {
      RawWebSocket.Frame f =
          ws.read(Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime())));
      if (f == null) {
        break;
      }
      if (f.isClose() || f.isEof()) {
        throw new AssertionError(
            "expected "
                + type
                + " but the connection closed ("
                + f.closeCode()
                + ") after "
                + seen);
      }
      JsonNode n = JSON.readTree(f.text());
      if (type.equals(n.path("type").asText())) {
        return n;
      }
      seen.add(n.path("type").asText());
    }
    throw new AssertionError(
        "expected a " + type + " frame within " + timeout + " but got " + seen);
  }

  /** What one fuzzed connection ended with. */
  private record Verdict(String outcome, int errors, int notJsonSent) {}

  @Test
  void tenThousandFuzzedFramesAreEachAnsweredOrClosedPerProtocolAndOthersAreServedThroughout()
      throws Exception {
    List<Verdict> verdicts =
        good.during(
            () -> {
              List<Verdict> all = new ArrayList<>();
              Fuzz fuzz = new Fuzz(20261128L);
              // Within the rate limit: each connection sends at most one bucket (AGENT_RATE /
              // DASHBOARD_RATE frames).
              for (int i = 0; i < 60; i++) {
                String id = "fuzz-agent-" + i;
                try (RawWebSocket ws = agent(id)) {
                  all.add(fuzzOne(ws, fuzz, Fuzz.agentTemplates(id), AGENT_RATE - 2));
                }
              }
              for (int i = 0; i < 90; i++) {
                try (RawWebSocket ws = dashboard()) {
                  all.add(fuzzOne(ws, fuzz, Fuzz.dashboardTemplates(), DASHBOARD_RATE - 2));
                }
              }
              return all;
            });
    int sent = 60 * (AGENT_RATE - 2) + 90 * (DASHBOARD_RATE - 2);
    Map<String, Integer> outcomes = new TreeMap<>();
    verdicts.forEach(v -> outcomes.merge(v.outcome(), 1, Integer::sum));
    System.out.println(
        "fuzz: "
            + sent
            + " frames on "
            + verdicts.size()
            + " connections, outcomes "
            + outcomes
            + ", round trips of the good agent meanwhile "
            + good.roundTrips());
    assertThat(sent).isGreaterThanOrEqualTo(10_000);
    // each connection either still answers (the probe got ERROR UNKNOWN_MESSAGE_TYPE) or was closed
    // with a
    // close frame whose code docs/PROTOCOL.md names for what was sent (1008: a frame claiming
    // another agent id)
    assertThat(outcomes.keySet())
        .as("outcomes")
        .isSubsetOf("answered", "closed 1008 Frame claims another agent");
    for (Verdict v : verdicts) {
      if (v.outcome().equals("answered")) {
        assertThat(v.errors())
            .as("ERROR answers vs frames that were not even JSON objects")
            .isGreaterThanOrEqualTo(v.notJsonSent());
      }
    }
  }

  private Verdict fuzzOne(RawWebSocket ws, Fuzz fuzz, List<String> templates, int count)
      throws Exception {
    int notJson = 0;
    for (int i = 0; i < count; i++) {
      String frame = fuzz.next(templates);
      if (Fuzz.notAJsonObject(frame)) {
        notJson++;
      }
      if (!ws.trySendFrame(RawWebSocket.TEXT, frame.getBytes(StandardCharsets.UTF_8))) {
        break;
      }
    }
    String probeId = "probe-" + System.nanoTime();
    ws.trySendFrame(
        RawWebSocket.TEXT,
        ("{\"type\":\"FUZZ_PROBE\",\"id\":\""
                + probeId
                + "\",\"timestamp\":"
                + System.currentTimeMillis()
                + ",\"payload\":{}}")
            .getBytes(StandardCharsets.UTF_8));
    int errors = 0;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (System.nanoTime() < deadline) {
      RawWebSocket.Frame f = ws.read(Duration.ofSeconds(15));
      if (f == null) {
        return new Verdict("no answer to the probe within 15 s", errors, notJson);
      }
      if (f.isEof()) {
        return new Verdict("dropped without a close frame", errors, notJson);
      }
      if (f.isClose()) {
        String reason =
            f.payload().length > 2
                ? new String(f.payload(), 2, f.payload().length - 2, StandardCharsets.UTF_8)
                : "";
        return new Verdict("closed " + f.closeCode() + " " + reason, errors, notJson);
      }
      if (f.opcode() != RawWebSocket.TEXT) {
        continue;
      }
      JsonNode n = JSON.readTree(f.text());
      if ("ERROR".equals(n.path("type").asText())) {
        errors++;
        if (f.text().contains(probeId)
            || "UNKNOWN_MESSAGE_TYPE".equals(n.path("payload").path("code").asText())
                && f.text().contains("FUZZ_PROBE")) {
          return new Verdict("answered", errors, notJson);
        }
      }
    }
    return new Verdict("no answer to the probe within 15 s", errors, notJson);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"agent", "dashboard"})
  void oversizedFrameIsAnsweredResourceExhaustedAndClosed1009(String endpoint) throws Exception {
    try (RawWebSocket ws = endpoint.equals("agent") ? agent("big-frame") : dashboard()) {
      byte[] big =
          ("{\"type\":\"PONG\",\"id\":\"big\",\"timestamp\":1,\"payload\":{\"x\":\""
                  + "x".repeat(2 * 1024 * 1024)
                  + "\"}}")
              .getBytes(StandardCharsets.UTF_8);
      ws.trySendFrame(RawWebSocket.TEXT, big);
      List<RawWebSocket.Frame> seen = new ArrayList<>();
      RawWebSocket.Frame close = ws.awaitClose(Duration.ofSeconds(10), seen);
      assertThat(close).as("close after a 2 MiB frame").isNotNull();
      assertThat(close.closeCode()).as("close code").isEqualTo(1009);
      assertThat(seen)
          .extracting(RawWebSocket.Frame::text)
          .anySatisfy(t -> assertThat(t).contains("\"ERROR\"").contains("RESOURCE_EXHAUSTED"));
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"agent", "dashboard"})
  void floodPastTheRateLimitIsAnsweredRateLimitedAndClosed4429(String endpoint) throws Exception {
    try (RawWebSocket ws = endpoint.equals("agent") ? agent("flood") : dashboard()) {
      byte[] frame =
          ("{\"type\":\"PONG\",\"id\":\"f\",\"timestamp\":1,\"payload\":{\"timestamp\":1}}")
              .getBytes(StandardCharsets.UTF_8);
      // past any burst allowance (agents may replay up to 1,000 queued frames at once) and the
      // 100/s rate
      for (int i = 0; i < 5000 && ws.trySendFrame(RawWebSocket.TEXT, frame); i++) {
        // as fast as the socket takes them
      }
      List<RawWebSocket.Frame> seen = new ArrayList<>();
      RawWebSocket.Frame close = ws.awaitClose(Duration.ofSeconds(10), seen);
      assertThat(close)
          .as(
              "close after a flood; frames seen meanwhile: %s",
              seen.stream()
                  .map(
                      f ->
                          f.opcode()
                              + ":"
                              + f.text().substring(0, Math.min(120, f.text().length())))
                  .toList())
          .isNotNull();
      assertThat(close.closeCode()).as("close code").isEqualTo(4429);
      assertThat(seen)
          .extracting(RawWebSocket.Frame::text)
          .anySatisfy(t -> assertThat(t).contains("RATE_LIMITED"));
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"agent", "dashboard"})
  void invalidUtf8InATextFrameClosesThatConnection1007(String endpoint) throws Exception {
    try (RawWebSocket ws = endpoint.equals("agent") ? agent("bad-utf8") : dashboard()) {
      ws.sendFrame(
          RawWebSocket.TEXT, new byte[] {'{', '"', (byte) 0xc3, (byte) 0x28, '"', ':', '1', '}'});
      RawWebSocket.Frame close = ws.awaitClose(Duration.ofSeconds(10), new ArrayList<>());
      assertThat(close).as("close after invalid UTF-8").isNotNull();
      assertThat(close.closeCode())
          .as("RFC 6455 8.1: invalid UTF-8 fails the connection with 1007")
          .isEqualTo(1007);
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"agent", "dashboard"})
  void tenThousandDeepNestedJsonIsAnsweredInvalidMessageAndTheConnectionLives(String endpoint)
      throws Exception {
    try (RawWebSocket ws = endpoint.equals("agent") ? agent("deep-json") : dashboard()) {
      String deep = "[".repeat(10_000) + "]".repeat(10_000);
      ws.sendText(
          "{\"type\":\"PONG\",\"id\":\"deep\",\"timestamp\":1,\"payload\":{\"timestamp\":"
              + deep
              + "}}");
      ws.sendText("{\"x\":" + "{\"x\":".repeat(9_999) + "1" + "}".repeat(10_000));
      JsonNode first = awaitType(ws, "ERROR", Duration.ofSeconds(10));
      assertThat(first.path("payload").path("code").asText()).isEqualTo("INVALID_MESSAGE");
      JsonNode second = awaitType(ws, "ERROR", Duration.ofSeconds(10));
      assertThat(second.path("payload").path("code").asText()).isEqualTo("INVALID_MESSAGE");
      // still open and answering
      ws.sendText("{\"type\":\"FUZZ_PROBE\",\"id\":\"after-deep\",\"timestamp\":1,\"payload\":{}}");
      JsonNode probe = awaitType(ws, "ERROR", Duration.ofSeconds(10));
      assertThat(probe.path("payload").path("code").asText()).isEqualTo("UNKNOWN_MESSAGE_TYPE");
    }
  }

  @Test
  void upgradesThatNeverFinishDoNotStopAnyoneElse() throws Exception {
    List<Socket> slow = new ArrayList<>();
    try {
      for (int i = 0; i < 50; i++) {
        slow.add(
            RawWebSocket.rawConnect(
                backend.wsPort(),
                "GET /ws/agent?agentId=slow-"
                    + i
                    + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upg"));
      }
      good.assertServed();
      try (RawWebSocket ws = agent("after-slow");
          DashboardClient d =
              DashboardClient.connect(backend.wsUrl(), BackendProcess.DASHBOARD_TOKEN)) {
        d.await("DASHBOARD_CONNECTED", p -> true, Duration.ofSeconds(10));
      }
      int closedByServer = 0;
      for (Socket s : slow) {
        s.setSoTimeout(50);
        try {
          if (s.getInputStream().read() < 0) {
            closedByServer++;
          }
        } catch (java.net.SocketTimeoutException e) {
          // still open
        }
      }
      System.out.println(
          "slow upgrades: "
              + closedByServer
              + " of "
              + slow.size()
              + " closed by the server so far");
    } finally {
      for (Socket s : slow) {
        s.close();
      }
    }
  }
}
