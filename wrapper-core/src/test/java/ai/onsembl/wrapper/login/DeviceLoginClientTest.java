package ai.onsembl.wrapper.login;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onsembl.wrapper.AgentExitException;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The device side of RFC 8628 against a scripted HTTP server on 127.0.0.1 (this class alone; the
 * whole flow against the real backend is in the e2e LoginIT): the poll interval, slow_down adding 5
 * s, expiry and refusals, and the URL mapping.
 */
class DeviceLoginClientTest {
  private HttpServer server;
  private final Deque<String[]> tokenReplies = new ConcurrentLinkedDeque<>();
  private final List<String> bodies = new ArrayList<>();

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/api/auth/device/authorize",
        ex -> {
          bodies.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
          reply(
              ex,
              200,
              "{\"device_code\":\"dev-1\",\"user_code\":\"WXYZ-BCDF\",\"verification_uri\":\"http://h/agents\","
                  + "\"verification_uri_complete\":\"http://h/agents?user_code=WXYZ-BCDF\",\"expires_in\":600,\"interval\":2}");
        });
    server.createContext(
        "/api/auth/device/token",
        ex -> {
          bodies.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
          String[] r = tokenReplies.poll();
          reply(ex, Integer.parseInt(r[0]), r[1]);
        });
    server.createContext(
        "/api/auth/cli/refresh",
        ex -> {
          bodies.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
          String[] r = tokenReplies.poll();
          reply(ex, Integer.parseInt(r[0]), r[1]);
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private static void reply(com.sun.net.httpserver.HttpExchange ex, int status, String body)
      throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, b.length);
    ex.getResponseBody().write(b);
    ex.close();
  }

  private String base() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @Test
  void pollsAtTheIntervalAndSlowsDownByFiveSecondsPerSlowDown() throws Exception {
    DeviceLoginClient c = new DeviceLoginClient(base());
    DeviceLoginClient.Authorization a = c.authorize();
    assertThat(bodies.get(0))
        .contains("\"client_id\" : \"onsembl-cli\"", "\"scope\" : \"agent:manage\"");
    assertThat(a.userCode()).isEqualTo("WXYZ-BCDF");
    assertThat(a.verificationUriComplete()).isEqualTo("http://h/agents?user_code=WXYZ-BCDF");
    tokenReplies.add(new String[] {"400", "{\"error\":\"authorization_pending\"}"});
    tokenReplies.add(new String[] {"400", "{\"error\":\"slow_down\"}"});
    tokenReplies.add(new String[] {"400", "{\"error\":\"authorization_pending\"}"});
    tokenReplies.add(new String[] {"400", "{\"error\":\"slow_down\"}"});
    tokenReplies.add(
        new String[] {
          "200",
          "{\"access_token\":\"a.b.c\",\"refresh_token\":\"r1\",\"token_type\":\"Bearer\","
              + "\"expires_in\":3600,\"scope\":\"agent:manage\",\"user_id\":\"u1\"}"
        });
    List<Duration> waits = new ArrayList<>();
    SavedLogin l = c.await(a, waits::add);
    assertThat(waits)
        .containsExactly(
            Duration.ofSeconds(2),
            Duration.ofSeconds(2),
            Duration.ofSeconds(7),
            Duration.ofSeconds(7),
            Duration.ofSeconds(12));
    assertThat(bodies.get(1))
        .contains(
            "\"device_code\" : \"dev-1\"",
            "\"grant_type\" : \"urn:ietf:params:oauth:grant-type:device_code\"");
    assertThat(l.accessToken()).isEqualTo("a.b.c");
    assertThat(l.refreshToken()).isEqualTo("r1");
    assertThat(l.userId()).isEqualTo("u1");
    assertThat(l.serverUrl()).isEqualTo(base());
  }

  @Test
  void expiredOrRefusedCodeIsExitThreeWithTheReason() {
    DeviceLoginClient c = new DeviceLoginClient(base());
    DeviceLoginClient.Authorization a = c.authorize();
    tokenReplies.add(new String[] {"400", "{\"error\":\"expired_token\"}"});
    assertThatThrownBy(() -> c.await(a, d -> {}))
        .isInstanceOf(AgentExitException.class)
        .hasMessageContaining("the code WXYZ-BCDF expired")
        .hasMessageContaining("run onsembl-agent login")
        .satisfies(e -> assertThat(((AgentExitException) e).exitCode()).isEqualTo(3));
    tokenReplies.add(
        new String[] {
          "400", "{\"error\":\"access_denied\",\"error_description\":\"user said no\"}"
        });
    assertThatThrownBy(() -> c.await(a, d -> {}))
        .hasMessageContaining("access_denied: user said no")
        .satisfies(e -> assertThat(((AgentExitException) e).exitCode()).isEqualTo(3));
  }

  @Test
  void refreshRotatesThePairAndARefusalIsItsOwnException() throws Exception {
    DeviceLoginClient c = new DeviceLoginClient(base());
    SavedLogin old =
        new SavedLogin(base(), "old.a.t", "old-r", java.time.Instant.EPOCH, "u", List.of());
    tokenReplies.add(
        new String[] {
          "200", "{\"access_token\":\"new.a.t\",\"refresh_token\":\"new-r\",\"expires_in\":60}"
        });
    SavedLogin renewed = c.refresh(old);
    assertThat(bodies.get(0))
        .contains("\"refresh_token\" : \"old-r\"", "\"grant_type\" : \"refresh_token\"");
    assertThat(renewed.accessToken()).isEqualTo("new.a.t");
    assertThat(renewed.refreshToken()).isEqualTo("new-r");
    assertThat(renewed.userId()).isEqualTo("u");
    tokenReplies.add(new String[] {"401", "{\"error\":\"invalid_grant\"}"});
    assertThatThrownBy(() -> c.refresh(renewed))
        .isInstanceOf(DeviceLoginClient.RefreshRefused.class)
        .hasMessageContaining("HTTP 401 invalid_grant");
    tokenReplies.add(new String[] {"503", "{}"});
    assertThatThrownBy(() -> c.refresh(renewed))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("503");
  }

  @Test
  void webSocketUrlsMapToTheSameHostAndPort() {
    assertThat(DeviceLoginClient.httpBase("ws://example.org:3001/ws/agent"))
        .isEqualTo("http://example.org:3001");
    assertThat(DeviceLoginClient.httpBase("wss://example.org")).isEqualTo("https://example.org");
    assertThat(DeviceLoginClient.httpBase("https://example.org:8443/"))
        .isEqualTo("https://example.org:8443");
    assertThatThrownBy(() -> DeviceLoginClient.httpBase("ftp://x"))
        .isInstanceOf(AgentExitException.class)
        .hasMessageContaining("expected an http(s):// or ws(s):// URL but got 'ftp://x'");
  }
}
