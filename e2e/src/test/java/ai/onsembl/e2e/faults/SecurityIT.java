package ai.onsembl.e2e.faults;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onsembl.e2e.BackendProcess;
import ai.onsembl.e2e.DashboardClient;
import ai.onsembl.e2e.Dist;
import ai.onsembl.e2e.LeakChecks;
import ai.onsembl.wrapper.testing.RunningProcess;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Without TLS: secrets stay out of argv, ps, logs and files; bad credentials of every kind are
 * refused on a real backend process; an agent cannot speak for another; REST needs a token.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
@ExtendWith({LeakChecks.class, ThreadLeakCheck.class, TempFilesCheck.class})
class SecurityIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SECRET = "e2e-jwt-secret-that-is-32-bytes-long!";
  @TempDir Path home;

  @Test
  void tokensAppearInNoArgvPsOutputLogStatusFileOrAgentEnvironment() throws Exception {
    Path tokenFile = home.resolve("token");
    Files.writeString(tokenFile, BackendProcess.AGENT_TOKEN + "\n");
    try (BackendProcess backend = BackendProcess.start(home.resolve("b.db"), home);
        AutoCloseable stop = TempFilesCheck.graceful(backend);
        RunningProcess fromEnv =
            Wrappers.start(
                home,
                backend.wsUrl(),
                "sec-env",
                "--agent",
                "mock",
                "--mode",
                "session",
                "--log-level",
                "trace");
        RunningProcess fromFile =
            Dist.start(
                "sec-file",
                Map.of(
                    "HOME", home.toString(), "ONSEMBL_STATE_DIR", home.resolve("state").toString()),
                home,
                "start",
                "--server",
                backend.wsUrl(),
                "--name",
                "sec-file",
                "--agent",
                "mock",
                "--mode",
                "session",
                "--token-file",
                tokenFile.toString(),
                "--log-level",
                "trace")) {
      backend.awaitAgent("sec-env", "ONLINE", Duration.ofSeconds(30));
      backend.awaitAgent("sec-file", "ONLINE", Duration.ofSeconds(30));
      String id = Wrappers.post(backend, "sec-env", "print 3 lines");
      Wrappers.awaitCommand(backend, id, "COMPLETED", Duration.ofSeconds(20));
      List<String> secrets = List.of(BackendProcess.AGENT_TOKEN, BackendProcess.DASHBOARD_TOKEN);

      // argv of every process we started, and their descendants, straight from /proc
      List<ProcessHandle> all = new ArrayList<>();
      for (RunningProcess p : List.of(backend.process(), fromEnv, fromFile)) {
        all.add(p.process().toHandle());
        p.process().toHandle().descendants().forEach(all::add);
      }
      for (ProcessHandle h : all) {
        String cmdline =
            Files.readString(Path.of("/proc/" + h.pid() + "/cmdline")).replace('\0', ' ');
        assertThat(cmdline).as("argv of pid %d", h.pid()).doesNotContain(secrets);
      }
      // the agents (children of the wrappers) do not even inherit it
      for (RunningProcess w : List.of(fromEnv, fromFile)) {
        for (ProcessHandle c : w.process().toHandle().descendants().toList()) {
          assertThat(Files.readString(Path.of("/proc/" + c.pid() + "/environ")))
              .as("environment of agent pid %d", c.pid())
              .doesNotContain(secrets);
        }
      }
      // ps as an operator would run it
      String psOut =
          RunningProcess.run("ps", Duration.ofSeconds(10), "ps", "-eo", "pid,args", "ww");
      assertThat(psOut).contains("sec-env").doesNotContain(secrets);
      // status as an operator would run it
      try (RunningProcess status =
          Dist.start(
              "status",
              Map.of(
                  "HOME", home.toString(), "ONSEMBL_STATE_DIR", home.resolve("state").toString()),
              home,
              "status")) {
        status.awaitExit(Duration.ofSeconds(20));
        assertThat(status.transcript()).contains("sec-env").doesNotContain(secrets);
      }

      for (RunningProcess w : List.of(fromEnv, fromFile)) {
        w.signal("TERM");
        assertThat(w.awaitExit(Duration.ofSeconds(15))).isEqualTo(143);
      }
      assertThat(fromEnv.transcript() + fromFile.transcript())
          .as("wrapper logs at trace level")
          .contains("connected to ws://")
          .doesNotContain(secrets);
      assertThat(backend.process().transcript()).as("backend log").doesNotContain(secrets);
      // every file the wrapper and backend wrote (run/status files, ids, the database), except the
      // token file
      try (Stream<Path> files = Files.walk(home)) {
        for (Path f :
            files.filter(Files::isRegularFile).filter(f -> !f.equals(tokenFile)).toList()) {
          String bytes =
              new String(Files.readAllBytes(f), java.nio.charset.StandardCharsets.ISO_8859_1);
          assertThat(bytes).as("file %s", f).doesNotContain(secrets);
        }
      }
    }
  }

  @Test
  void wrongExpiredAlgNoneForeignlySignedAndCrossRoleCredentialsAreAllRefused() throws Exception {
    try (BackendProcess backend =
            BackendProcess.start(home.resolve("b.db"), home, "--jwt-secret", SECRET);
        AutoCloseable stop = TempFilesCheck.graceful(backend)) {
      long future = System.currentTimeMillis() / 1000 + 3600;
      long past = System.currentTimeMillis() / 1000 - 3600;
      // controls: what must work does work
      assertAgentConnection(backend, Jwts.hs256(SECRET, "cli", future), true, "valid agent JWT");
      assertAgentConnection(backend, BackendProcess.AGENT_TOKEN, true, "static agent token");

      assertAgentConnection(backend, "not-the-token", false, "wrong token");
      assertAgentConnection(backend, Jwts.hs256(SECRET, "cli", past), false, "expired JWT");
      assertAgentConnection(backend, Jwts.algNone("cli", future), false, "alg none JWT");
      assertAgentConnection(
          backend,
          Jwts.hs256("another-secret-of-32-bytes-or-more!!", "cli", future),
          false,
          "JWT signed with another secret");
      assertAgentConnection(
          backend, BackendProcess.DASHBOARD_TOKEN, false, "dashboard token on /ws/agent");
      assertAgentConnection(
          backend, Jwts.hs256(SECRET, "dashboard", future), false, "dashboard JWT on /ws/agent");
      assertAgentConnection(backend, null, false, "no token");

      assertRefused(
          RawWebSocket.tryConnect(backend.wsPort(), "/ws/dashboard", BackendProcess.AGENT_TOKEN),
          "agent token on /ws/dashboard");
      assertRefused(
          RawWebSocket.tryConnect(
              backend.wsPort(), "/ws/dashboard", Jwts.algNone("dashboard", future)),
          "alg none JWT on /ws/dashboard");
      assertThat(backend.get("/api/agents").path("agents").findValuesAsText("name"))
          .as("nothing refused was stored")
          .containsOnly("jwt-ok", "static-ok");
    }
  }

  @Test
  void aWrapperWithAWrongTokenExitsThreeAuthenticationRejected() throws Exception {
    try (BackendProcess backend = BackendProcess.start(home.resolve("b.db"), home);
        AutoCloseable stop = TempFilesCheck.graceful(backend);
        RunningProcess w =
            Dist.start(
                "wrong-token",
                Map.of(
                    "HOME",
                    home.toString(),
                    "ONSEMBL_TOKEN",
                    "wrong-token",
                    "ONSEMBL_STATE_DIR",
                    home.resolve("state").toString()),
                home,
                "start",
                "--server",
                backend.wsUrl(),
                "--name",
                "wrong-token",
                "--agent",
                "mock",
                "--mode",
                "session")) {
      assertThat(w.awaitExit(Duration.ofSeconds(30))).as(w.transcript()).isEqualTo(3);
      assertThat(w.transcript())
          .containsIgnoringCase("authentication")
          .doesNotContain("wrong-token\n");
      assertThat(w.survivingDescendants()).isEmpty();
    }
  }

  @Test
  void anAgentCannotSpeakForAnotherAgentId() throws Exception {
    try (BackendProcess backend = BackendProcess.start(home.resolve("b.db"), home);
        AutoCloseable stop = TempFilesCheck.graceful(backend);
        RunningProcess victim =
            Wrappers.start(home, backend.wsUrl(), "victim", "--agent", "mock", "--mode", "exec");
        DashboardClient dash =
            DashboardClient.connect(backend.wsUrl(), BackendProcess.DASHBOARD_TOKEN)) {
      backend.awaitAgent("victim", "ONLINE", Duration.ofSeconds(30));
      String victimId = backend.agentNamed("victim").orElseThrow().path("agentId").asText();
      String commandId = Wrappers.post(backend, "victim", "sleep 3");
      Wrappers.awaitCommand(backend, commandId, "EXECUTING", Duration.ofSeconds(10));
      try (RawWebSocket mallory = connectAgent(backend, "mallory", BackendProcess.AGENT_TOKEN)) {
        mallory.sendText(
            "{\"type\":\"TERMINAL_OUTPUT\",\"id\":\"spoof-1\",\"timestamp\":1,\"payload\":{\"commandId\":\""
                + commandId
                + "\",\"agentId\":\""
                + victimId
                + "\",\"streamType\":\"STDOUT\",\"content\":\"forged\\n\","
                + "\"sequence\":999}}");
        List<RawWebSocket.Frame> seen = new ArrayList<>();
        RawWebSocket.Frame close = mallory.awaitClose(Duration.ofSeconds(10), seen);
        assertThat(seen)
            .extracting(RawWebSocket.Frame::text)
            .anySatisfy(t -> assertThat(t).contains("FORBIDDEN"));
        assertThat(close).isNotNull();
        assertThat(close.closeCode()).isEqualTo(1008);
      }
      try (RawWebSocket mallory2 = connectAgent(backend, "mallory2", BackendProcess.AGENT_TOKEN)) {
        mallory2.sendText(
            "{\"type\":\"COMMAND_COMPLETE\",\"id\":\"spoof-2\",\"timestamp\":1,\"payload\":{\"commandId\":\""
                + commandId
                + "\",\"agentId\":\"mallory2\",\"status\":\"FAILED\",\"executionTime\":1,\"tokensUsed\":0}}");
        mallory2.sendText("{\"type\":\"FUZZ_PROBE\",\"id\":\"p\",\"timestamp\":1,\"payload\":{}}");
        mallory2.awaitClose(Duration.ofSeconds(2), new ArrayList<>());
      }
      JsonNode done =
          Wrappers.awaitCommand(backend, commandId, "COMPLETED", Duration.ofSeconds(20));
      assertThat(done.path("output").toString())
          .as("the victim's command output")
          .doesNotContain("forged")
          .contains("slept 3");
      assertThat(backend.agentNamed("victim").orElseThrow().path("status").asText())
          .isEqualTo("ONLINE");
      assertThat(dash.frames("TERMINAL_STREAM"))
          .extracting(f -> f.path("payload").path("content").asText())
          .noneMatch(c -> c.contains("forged"));
      victim.signal("TERM");
      victim.awaitExit(Duration.ofSeconds(15));
    }
  }

  @Test
  void restWithoutOrWithAWrongTokenIs401() throws Exception {
    try (BackendProcess backend = BackendProcess.start(home.resolve("b.db"), home);
        AutoCloseable stop = TempFilesCheck.graceful(backend)) {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      for (String path : List.of("/api/agents", "/api/commands/x", "/metrics")) {
        HttpRequest none =
            HttpRequest.newBuilder(URI.create(backend.httpUrl() + path)).GET().build();
        assertThat(http.send(none, HttpResponse.BodyHandlers.ofString()).statusCode())
            .as("GET %s, no token", path)
            .isEqualTo(401);
        HttpRequest wrong =
            HttpRequest.newBuilder(URI.create(backend.httpUrl() + path))
                .header("Authorization", "Bearer nope")
                .GET()
                .build();
        assertThat(http.send(wrong, HttpResponse.BodyHandlers.ofString()).statusCode())
            .as("GET %s, wrong token", path)
            .isEqualTo(401);
      }
      HttpRequest post =
          HttpRequest.newBuilder(URI.create(backend.httpUrl() + "/api/agents/x/commands"))
              .header("Authorization", "Bearer " + BackendProcess.AGENT_TOKEN)
              .POST(HttpRequest.BodyPublishers.ofString("{\"content\":\"echo\"}"))
              .build();
      assertThat(http.send(post, HttpResponse.BodyHandlers.ofString()).statusCode())
          .as("POST with the agent token")
          .isEqualTo(401);
    }
  }

  private static RawWebSocket connectAgent(BackendProcess backend, String agentId, String token)
      throws Exception {
    RawWebSocket ws = RawWebSocket.connect(backend.wsPort(), "/ws/agent?agentId=" + agentId, token);
    ws.sendText(connectFrame(agentId));
    RawWebSocket.Frame f = ws.read(Duration.ofSeconds(10));
    assertThat(f).isNotNull();
    assertThat(f.text()).contains("\"ACK\"");
    return ws;
  }

  private static String connectFrame(String agentId) {
    return "{\"type\":\"AGENT_CONNECT\",\"id\":\"c-"
        + agentId
        + "\",\"timestamp\":"
        + System.currentTimeMillis()
        + ",\"payload\":{\"agentId\":\""
        + agentId
        + "\",\"name\":\""
        + agentId
        + "\",\"agentType\":\"CUSTOM\","
        + "\"version\":\"1\",\"hostMachine\":\"h\",\"capabilities\":{\"maxTokens\":1,\"supportsInterrupt\":false,"
        + "\"supportsTrace\":false}}}";
  }

  private void assertAgentConnection(
      BackendProcess backend, String token, boolean accepted, String what) throws Exception {
    String name =
        accepted ? (what.contains("JWT") ? "jwt-ok" : "static-ok") : "refused-" + what.hashCode();
    RawWebSocket ws = RawWebSocket.tryConnect(backend.wsPort(), "/ws/agent?agentId=" + name, token);
    if (!accepted) {
      ws.sendText(connectFrame(name));
      assertRefused(ws, what);
      return;
    }
    try (ws) {
      ws.sendText(connectFrame(name));
      RawWebSocket.Frame f = ws.read(Duration.ofSeconds(10));
      assertThat(f).as(what).isNotNull();
      assertThat(JSON.readTree(f.text()).path("type").asText())
          .as(what + ": " + f.text())
          .isEqualTo("ACK");
    }
  }

  private static void assertRefused(RawWebSocket ws, String what) {
    try (ws) {
      if (!ws.handshakeResponse().startsWith("HTTP/1.1 101")) {
        assertThat(ws.handshakeResponse()).as(what).matches("(?s)HTTP/1.1 40[13].*");
        return;
      }
      List<RawWebSocket.Frame> seen = new ArrayList<>();
      RawWebSocket.Frame close = ws.awaitClose(Duration.ofSeconds(10), seen);
      assertThat(seen)
          .as(what)
          .extracting(RawWebSocket.Frame::text)
          .anySatisfy(
              t ->
                  assertThat(t).contains("\"ERROR\"").containsAnyOf("UNAUTHORIZED", "AUTH_FAILED"));
      assertThat(close).as(what + ": closed").isNotNull();
      assertThat(close.closeCode()).as(what + ": close code").isEqualTo(4401);
    }
  }
}
