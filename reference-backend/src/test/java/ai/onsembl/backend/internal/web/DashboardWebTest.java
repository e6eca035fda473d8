package ai.onsembl.backend.internal.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DashboardWebTest {

  private static final String TOKEN = "dashboard-secret-token";
  private static final int WS_PORT = 47123;

  private HttpServer server;
  private DashboardWeb web;
  private String base;
  private final HttpClient client =
      HttpClient.newBuilder()
          .followRedirects(HttpClient.Redirect.NEVER)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    web = new DashboardWeb(TOKEN::equals, TOKEN.getBytes(StandardCharsets.UTF_8), () -> WS_PORT);
    web.register(server);
    server.start();
    base = "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  @Test
  void agentsPageRedirectsToTheSignInFormWithoutASession() throws Exception {
    HttpResponse<String> response = get("/agents", null);
    assertThat(response.statusCode()).isEqualTo(303);
    assertThat(response.headers().firstValue("Location")).hasValue("/login");
    HttpResponse<String> form = get("/login", null);
    assertThat(form.statusCode()).isEqualTo(200);
    assertThat(form.body())
        .contains("<form method=\"post\" action=\"/login\"", "name=\"token\"")
        .doesNotContain("<!--MESSAGE-->");
  }

  @Test
  void loginLinkSetsAnHttpOnlyStrictCookieAndRedirectsToAgents() throws Exception {
    String link = web.loginLink(base);
    assertThat(link).startsWith(base + "/login?code=").doesNotContain(TOKEN);
    HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(link)).GET());
    assertThat(response.statusCode()).isEqualTo(303);
    assertThat(response.headers().firstValue("Location")).hasValue("/agents");
    String setCookie = response.headers().firstValue("Set-Cookie").orElseThrow();
    assertThat(setCookie)
        .startsWith("onsembl_session_" + server.getAddress().getPort() + "=")
        .contains("HttpOnly", "SameSite=Strict")
        .doesNotContain(TOKEN);
    HttpResponse<String> page = get("/agents", cookieOf(setCookie));
    assertThat(page.statusCode()).isEqualTo(200);
  }

  @Test
  void loginLinkWorksOnlyOnce() throws Exception {
    String link = web.loginLink(base);
    assertThat(send(HttpRequest.newBuilder(URI.create(link)).GET()).statusCode()).isEqualTo(303);
    HttpResponse<String> again = send(HttpRequest.newBuilder(URI.create(link)).GET());
    assertThat(again.statusCode()).isEqualTo(403);
    assertThat(again.headers().firstValue("Set-Cookie")).isEmpty();
    assertThat(again.body()).contains("already used or has expired", "name=\"token\"");
  }

  @Test
  void agentsPageIsHtmlWithTheDashboardPortAndAStrictPolicy() throws Exception {
    HttpResponse<String> page = get("/agents", signIn());
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
    assertThat(page.headers().firstValue("Cache-Control")).hasValue("no-store");
    assertThat(page.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow())
        .contains(
            "default-src 'none'",
            "script-src 'self'",
            "frame-ancestors 'none'",
            "connect-src 'self' ws://127.0.0.1:" + WS_PORT + " wss://127.0.0.1:" + WS_PORT);
    assertThat(page.body())
        .contains("<meta name=\"onsembl-ws-port\" content=\"" + WS_PORT + "\">")
        .contains("/static/agents.js", "/static/agents.css")
        .doesNotContainPattern("(src|href)=\"(https?:)?//");
  }

  @Test
  void staticFilesHaveTheirContentTypesAndRevalidateWithEtags() throws Exception {
    HttpResponse<String> js = get("/static/agents.js", null);
    assertThat(js.statusCode()).isEqualTo(200);
    assertThat(js.headers().firstValue("Content-Type")).hasValue("text/javascript; charset=utf-8");
    assertThat(js.headers().firstValue("Cache-Control")).hasValue("no-cache");
    String etag = js.headers().firstValue("ETag").orElseThrow();
    assertThat(js.body()).contains("DASHBOARD_INIT");

    for (String module : new String[] {"/static/table.js", "/static/panel.js", "/static/dom.js"}) {
      HttpResponse<String> response = get(module, null);
      assertThat(response.statusCode()).as(module).isEqualTo(200);
      assertThat(response.headers().firstValue("Content-Type"))
          .as(module)
          .hasValue("text/javascript; charset=utf-8");
    }

    HttpResponse<String> css = get("/static/agents.css", null);
    assertThat(css.headers().firstValue("Content-Type")).hasValue("text/css; charset=utf-8");

    HttpResponse<String> revalidated =
        send(
            HttpRequest.newBuilder(URI.create(base + "/static/agents.js"))
                .header("If-None-Match", etag));
    assertThat(revalidated.statusCode()).isEqualTo(304);
    assertThat(revalidated.body()).isEmpty();
  }

  @Test
  void pathsOutsideTheListedFilesAreNotFound() throws Exception {
    String[] paths = {
      "/static/../agents.html",
      "/static/%2e%2e/web/agents.html",
      "/static/..%2fagents.html",
      "/static/agents.html",
      "/static/login.html",
      "/static/",
      "/static/agents.js/",
      "/static//etc/passwd",
      "/static/web/agents.js",
      "/agentsx",
      "/agents/agents.js",
      "/loginx"
    };
    for (String path : paths) {
      HttpResponse<String> response = get(path, signIn());
      assertThat(response.statusCode()).as("GET %s", path).isEqualTo(404);
      assertThat(response.body()).as("GET %s", path).doesNotContain("<html", "DASHBOARD_INIT");
    }
  }

  @Test
  void tokenFormSignsInWithTheTokenInTheBodyOnly() throws Exception {
    HttpResponse<String> response = postForm("/login", "token=" + TOKEN);
    assertThat(response.statusCode()).isEqualTo(303);
    assertThat(response.headers().firstValue("Location")).hasValue("/agents");
    String setCookie = response.headers().firstValue("Set-Cookie").orElseThrow();
    assertThat(get("/agents", cookieOf(setCookie)).statusCode()).isEqualTo(200);
  }

  @Test
  void wrongTokenIsRefusedWithoutACookie() throws Exception {
    HttpResponse<String> response = postForm("/login", "token=guess");
    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.headers().firstValue("Set-Cookie")).isEmpty();
    assertThat(response.body()).contains("That token was not accepted.");
  }

  @Test
  void repeatedWrongTokensAreThrottled() throws Exception {
    int last = 0;
    for (int i = 0; i < 25; i++) {
      last = postForm("/login", "token=guess" + i).statusCode();
    }
    assertThat(last).isEqualTo(429);
  }

  @Test
  void logoutClearsTheCookie() throws Exception {
    HttpResponse<String> response =
        send(
            HttpRequest.newBuilder(URI.create(base + "/logout"))
                .header("Cookie", signIn())
                .POST(HttpRequest.BodyPublishers.noBody()));
    assertThat(response.statusCode()).isEqualTo(303);
    assertThat(response.headers().firstValue("Location")).hasValue("/login");
    assertThat(response.headers().firstValue("Set-Cookie").orElseThrow()).contains("Max-Age=0");
  }

  @Test
  void logoutRevokesTheSessionOnTheServer() throws Exception {
    String cookie = signIn();
    assertThat(get("/agents", cookie).statusCode()).isEqualTo(200);
    send(
        HttpRequest.newBuilder(URI.create(base + "/logout"))
            .header("Cookie", cookie)
            .POST(HttpRequest.BodyPublishers.noBody()));
    assertThat(get("/agents", cookie).statusCode())
        .as("the old cookie, replayed after sign-out")
        .isEqualTo(303);
    assertThat(web.authenticates("GET", cookie, null, "127.0.0.1:" + WS_PORT, null)).isFalse();
  }

  @Test
  void wrongMethodsAreRefused() throws Exception {
    HttpResponse<String> post =
        send(
            HttpRequest.newBuilder(URI.create(base + "/agents"))
                .POST(HttpRequest.BodyPublishers.ofString("x")));
    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
    assertThat(get("/logout", null).statusCode()).isEqualTo(405);
  }

  @Test
  void cookieAuthenticatesOnlyRequestsFromAPageOfTheSameHost() throws Exception {
    String cookie = signIn();
    String host = "127.0.0.1:" + WS_PORT;
    assertThat(web.authenticatesUpgrade(cookie, base, host))
        .as("the page's origin, socket on another port")
        .isTrue();
    assertThat(
            web.authenticatesUpgrade(
                cookie, "http://127.0.0.1:" + (server.getAddress().getPort() + 1), host))
        .as("another web app on the same host")
        .isFalse();
    assertThat(
            web.authenticatesUpgrade(
                cookie, "https://127.0.0.1:" + server.getAddress().getPort(), host))
        .as("another scheme")
        .isFalse();
    assertThat(web.authenticatesUpgrade(cookie, "http://evil.example", host)).isFalse();
    assertThat(web.authenticatesUpgrade(cookie, null, host)).as("upgrade without Origin").isFalse();
    assertThat(web.authenticatesUpgrade(cookie, "null", host)).isFalse();
    assertThat(
            web.authenticatesUpgrade(
                "onsembl_session_" + server.getAddress().getPort() + "=forged", base, host))
        .isFalse();
    assertThat(web.authenticatesUpgrade(null, base, host)).isFalse();
    String json = "application/json; charset=utf-8";
    assertThat(web.authenticates("GET", cookie, null, host, null))
        .as("REST read without Origin")
        .isTrue();
    assertThat(web.authenticates("POST", cookie, null, host, json))
        .as("REST write without Origin")
        .isFalse();
    assertThat(web.authenticates("POST", cookie, base, host, json)).isTrue();
    assertThat(web.authenticates("POST", cookie, base, host, "text/plain"))
        .as("a form's content type")
        .isFalse();
    assertThat(web.authenticates("POST", cookie, base, host, null)).as("no content type").isFalse();
  }

  @Test
  void aSecondBackendOnTheSameHostKeepsItsOwnCookie() throws Exception {
    HttpServer other = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    DashboardWeb otherWeb =
        new DashboardWeb(TOKEN::equals, TOKEN.getBytes(StandardCharsets.UTF_8), () -> WS_PORT);
    otherWeb.register(other);
    other.start();
    try {
      String otherBase = "http://127.0.0.1:" + other.getAddress().getPort();
      HttpResponse<String> response =
          send(HttpRequest.newBuilder(URI.create(otherWeb.loginLink(otherBase))).GET());
      String otherCookie = cookieOf(response.headers().firstValue("Set-Cookie").orElseThrow());
      String mine = signIn();
      assertThat(otherCookie.substring(0, otherCookie.indexOf('=')))
          .isNotEqualTo(mine.substring(0, mine.indexOf('=')));
      // A browser sends both cookies to both; each backend reads its own.
      assertThat(get("/agents", otherCookie + "; " + mine).statusCode()).isEqualTo(200);
      assertThat(get("/agents", otherCookie).statusCode())
          .as("only the other backend's cookie")
          .isEqualTo(303);
    } finally {
      other.stop(0);
    }
  }

  private String signIn() throws Exception {
    HttpResponse<String> response =
        send(HttpRequest.newBuilder(URI.create(web.loginLink(base))).GET());
    return cookieOf(response.headers().firstValue("Set-Cookie").orElseThrow());
  }

  private static String cookieOf(String setCookie) {
    return setCookie.substring(0, setCookie.indexOf(';'));
  }

  private HttpResponse<String> get(String path, String cookie) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).GET();
    if (cookie != null) {
      request.header("Cookie", cookie);
    }
    return send(request);
  }

  private HttpResponse<String> postForm(String path, String body) throws Exception {
    return send(
        HttpRequest.newBuilder(URI.create(base + path))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return client.send(
        request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
