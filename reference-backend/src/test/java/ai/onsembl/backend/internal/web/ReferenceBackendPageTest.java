package ai.onsembl.backend.internal.web;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onsembl.backend.BackendConfig;
import ai.onsembl.backend.ReferenceBackend;
import ai.onsembl.protocol.MessageType;
import ai.onsembl.testing.ProtocolClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The page wired into the real backend: its routes, and its cookie on /api and /ws/dashboard. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReferenceBackendPageTest {

  private static final String DASHBOARD_TOKEN = "page-test-dashboard-token";

  private ReferenceBackend backend;
  private final HttpClient client =
      HttpClient.newBuilder()
          .followRedirects(HttpClient.Redirect.NEVER)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  @BeforeEach
  void start() {
    backend =
        ReferenceBackend.start(
            BackendConfig.defaults()
                .withPorts(0, 0)
                .withAgentToken("page-test-agent-token")
                .withDashboardToken(DASHBOARD_TOKEN));
  }

  @AfterEach
  void stop() {
    backend.close();
  }

  @Test
  void loginLinkOpensTheAgentsPageWithTheDashboardPort() throws Exception {
    String link = backend.dashboardLoginLink();
    assertThat(link).startsWith(backend.httpUrl() + "/login?code=").doesNotContain(DASHBOARD_TOKEN);
    String cookie = signIn(link);
    HttpResponse<String> page = get("/agents", Map.of("Cookie", cookie));
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("content=\"" + backend.wsPort() + "\"");
    assertThat(get("/agents", Map.of()).statusCode()).as("without a session").isEqualTo(303);
  }

  @Test
  void restApiAcceptsTheSessionCookieFromThePage() throws Exception {
    String cookie = signIn(backend.dashboardLoginLink());
    assertThat(get("/api/agents", Map.of()).statusCode()).isEqualTo(401);
    assertThat(
            get("/api/agents", Map.of("Cookie", cookie, "Origin", backend.httpUrl())).statusCode())
        .isEqualTo(200);
    assertThat(
            get("/api/agents", Map.of("Cookie", cookie, "Origin", "http://evil.example"))
                .statusCode())
        .as("the cookie ridden from another site")
        .isEqualTo(401);
    assertThat(
            get("/api/agents", Map.of("Authorization", "Bearer " + DASHBOARD_TOKEN)).statusCode())
        .as("the Bearer token still works")
        .isEqualTo(200);
  }

  @Test
  void dashboardSocketAcceptsTheCookieFromASameHostPageOnly() throws Exception {
    String cookie = signIn(backend.dashboardLoginLink());
    ProtocolClient ok =
        new ProtocolClient(
            URI.create(backend.wsUrl() + "/ws/dashboard"),
            Map.of("Cookie", cookie, "Origin", backend.httpUrl()));
    try {
      ok.connectOrFail();
      ok.send(
          "{\"type\":\"DASHBOARD_INIT\",\"id\":\"i1\",\"timestamp\":1,\"payload\":"
              + "{\"subscriptions\":{\"agents\":[\"*\"],\"terminals\":true}}}");
      assertThat(ok.next(MessageType.DASHBOARD_CONNECTED, Duration.ofSeconds(10)))
          .as("a snapshot for the cookie-authenticated dashboard")
          .isNotNull();
    } finally {
      ok.closeBounded(Duration.ofSeconds(5));
    }

    ProtocolClient foreign =
        attempt(
            backend.wsUrl() + "/ws/dashboard",
            Map.of("Cookie", cookie, "Origin", "http://evil.example"));
    assertThat(foreign.closeCode.get(10, TimeUnit.SECONDS)).isEqualTo(4401);
    ProtocolClient forged =
        attempt(
            backend.wsUrl() + "/ws/dashboard",
            Map.of(
                "Cookie",
                "onsembl_session_" + backend.httpPort() + "=v1.9999999999.AAAA.AAAA",
                "Origin",
                backend.httpUrl()));
    assertThat(forged.closeCode.get(10, TimeUnit.SECONDS)).isEqualTo(4401);
  }

  private String signIn(String link) throws Exception {
    HttpResponse<String> response =
        client.send(
            HttpRequest.newBuilder(URI.create(link)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as("login link answer").isEqualTo(303);
    String setCookie = response.headers().firstValue("Set-Cookie").orElseThrow();
    return setCookie.substring(0, setCookie.indexOf(';'));
  }

  private HttpResponse<String> get(String path, Map<String, String> headers) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(backend.httpUrl() + path))
            .timeout(Duration.ofSeconds(10))
            .GET();
    headers.forEach(request::header);
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Connects and returns whatever happened: a refused socket is closed by the server at once. */
  private static ProtocolClient attempt(String url, Map<String, String> headers)
      throws InterruptedException {
    ProtocolClient probe = new ProtocolClient(URI.create(url), headers);
    if (!probe.connectBlocking(10, TimeUnit.SECONDS) && !probe.closeCode.isDone()) {
      probe.close();
      throw new AssertionError("no WebSocket handshake with " + url + " within 10 s");
    }
    return probe;
  }
}
