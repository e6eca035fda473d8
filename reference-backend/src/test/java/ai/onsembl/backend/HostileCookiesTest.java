package ai.onsembl.backend;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onsembl.protocol.MessageType;
import ai.onsembl.testing.ProtocolClient;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The /agents page's session cookie against pages of other local web apps, after sign-out, and the
 * sign-in limit (issue: hostile clients, item 5).
 */
@Timeout(60)
class HostileCookiesTest {
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  @TempDir Path dir;

  private ReferenceBackend start(Path db) {
    return ReferenceBackend.start(
        BackendConfig.defaults()
            .withPorts(0, 0)
            .withDatabaseFile(db)
            .withAgentToken("a")
            .withDashboardToken("d")
            .withHeartbeat(Duration.ofMillis(500), Duration.ofSeconds(5)));
  }

  private static String signIn(ReferenceBackend b) throws Exception {
    HttpResponse<String> r =
        CLIENT.send(
            HttpRequest.newBuilder(URI.create(b.dashboardLoginLink()))
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    String setCookie = r.headers().firstValue("Set-Cookie").orElseThrow();
    return setCookie.substring(0, setCookie.indexOf(';'));
  }

  private static int post(
      ReferenceBackend b, String path, String cookie, String origin, String contentType)
      throws Exception {
    HttpRequest.Builder req =
        HttpRequest.newBuilder(URI.create(b.httpUrl() + path))
            .timeout(Duration.ofSeconds(5))
            .header("Cookie", cookie)
            .POST(HttpRequest.BodyPublishers.ofString("{\"content\":\"id\"}"));
    if (origin != null) {
      req.header("Origin", origin);
    }
    if (contentType != null) {
      req.header("Content-Type", contentType);
    }
    return CLIENT.send(req.build(), HttpResponse.BodyHandlers.ofString()).statusCode();
  }

  @Test
  void cookieWritesAndDashboardSocketsNeedExactlyThePagesOriginAndJson() throws Exception {
    try (ReferenceBackend b = start(dir.resolve("o.db"))) {
      String cookie = signIn(b);
      String page = "http://127.0.0.1:" + b.httpPort();
      String otherApp = "http://127.0.0.1:" + (b.httpPort() == 65535 ? 1 : b.httpPort() + 1);
      ProtocolClient agent =
          ProtocolClient.agent(URI.create(b.wsUrl() + "/ws/agent?token=a"), "o-1");
      agent.answerPings = true;
      try {
        String path = "/api/agents/o-1/commands";
        assertThat(post(b, path, cookie, otherApp, "application/json"))
            .as("another app's page")
            .isEqualTo(401);
        assertThat(post(b, path, cookie, "http://localhost:" + b.httpPort(), "application/json"))
            .as("another host name")
            .isEqualTo(401);
        assertThat(post(b, path, cookie, page, "text/plain"))
            .as("a simple (form-like) request")
            .isEqualTo(401);
        assertThat(post(b, path, cookie, page, "application/json"))
            .as("the page itself")
            .isEqualTo(202);
        agent.expect(MessageType.COMMAND_REQUEST, Duration.ofSeconds(5));
        assertThat(agent.drain(Duration.ofMillis(300)).stream().map(m -> m.type()))
            .as("only the page's command reached the agent")
            .doesNotContain(MessageType.COMMAND_REQUEST);

        ProtocolClient foreign =
            new ProtocolClient(
                URI.create(b.wsUrl() + "/ws/dashboard"),
                Map.of("Cookie", cookie, "Origin", otherApp));
        foreign.connectBlocking(5, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(foreign.awaitClose(Duration.ofSeconds(5)))
            .as("dashboard socket from another app")
            .isEqualTo(4401);

        ProtocolClient own =
            new ProtocolClient(
                URI.create(b.wsUrl() + "/ws/dashboard"), Map.of("Cookie", cookie, "Origin", page));
        own.answerPings = true;
        own.connectOrFail();
        try {
          own.expect(MessageType.PING, Duration.ofSeconds(5));
          assertThat(own.isOpen()).isTrue();
        } finally {
          own.closeBounded(Duration.ofSeconds(2));
        }
      } finally {
        agent.closeBounded(Duration.ofSeconds(2));
      }
    }
  }

  @Test
  void signingOutRevokesTheSessionOnTheServerAcrossARestart() throws Exception {
    Path db = dir.resolve("s.db");
    String cookie;
    try (ReferenceBackend b = start(db)) {
      cookie = signIn(b);
      assertThat(get(b, cookie)).isEqualTo(200);
      HttpResponse<String> out =
          CLIENT.send(
              HttpRequest.newBuilder(URI.create(b.httpUrl() + "/logout"))
                  .header("Cookie", cookie)
                  .POST(HttpRequest.BodyPublishers.noBody())
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(out.statusCode()).isEqualTo(303);
      assertThat(get(b, cookie)).as("the cookie replayed after sign-out").isEqualTo(401);
    }
    try (ReferenceBackend again =
        ReferenceBackend.start(
            BackendConfig.defaults()
                .withPorts(0, 0)
                .withDatabaseFile(db)
                .withAgentToken("a")
                .withDashboardToken("d"))) {
      // The cookie's name carries the HTTP port: replay it under the new one.
      String value = cookie.substring(cookie.indexOf('=') + 1);
      String replayed = "onsembl_session_" + again.httpPort() + "=" + value;
      assertThat(get(again, replayed)).as("the signed-out cookie after a restart").isEqualTo(401);
      assertThat(get(again, signIn(again))).as("a new sign-in").isEqualTo(200);
    }
  }

  private static int get(ReferenceBackend b, String cookie) throws Exception {
    return CLIENT
        .send(
            HttpRequest.newBuilder(URI.create(b.httpUrl() + "/api/agents"))
                .header("Cookie", cookie)
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .statusCode();
  }

  @Test
  void oneClientGuessingTokensDoesNotLockOthersOut() throws Exception {
    try (ReferenceBackend b = start(dir.resolve("l.db"))) {
      int last = 0;
      for (int i = 0; i < 25; i++) {
        last = signInWithToken(b, "127.0.0.1", "guess" + i);
      }
      assertThat(last).as("the guessing client is throttled").isEqualTo(429);
      assertThat(signInWithToken(b, "127.0.0.2", "d")).as("another client signs in").isEqualTo(303);
      assertThat(signInWithToken(b, "127.0.0.1", "d"))
          .as("the guessing client itself, still")
          .isEqualTo(429);
    }
  }

  /** POST /login from {@code localAddress}: the status code. */
  private static int signInWithToken(ReferenceBackend b, String localAddress, String token)
      throws Exception {
    try (Socket s = new Socket()) {
      s.bind(new InetSocketAddress(InetAddress.getByName(localAddress), 0));
      s.connect(new InetSocketAddress("127.0.0.1", b.httpPort()), 5000);
      s.setSoTimeout(5000);
      String body = "token=" + token;
      OutputStream out = s.getOutputStream();
      out.write(
          ("POST /login HTTP/1.1\r\nHost: 127.0.0.1:"
                  + b.httpPort()
                  + "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: "
                  + body.length()
                  + "\r\nConnection: close\r\n\r\n"
                  + body)
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String status =
          new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII))
              .readLine();
      assertThat(status).startsWith("HTTP/1.1 ");
      return Integer.parseInt(status.substring(9, 12));
    }
  }
}
