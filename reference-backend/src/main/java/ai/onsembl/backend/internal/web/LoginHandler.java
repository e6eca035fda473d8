package ai.onsembl.backend.internal.web;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Predicate;

/**
 * Sign-in and sign-out for the page.
 *
 * <ul>
 *   <li>{@code GET /login?code=C}: a one-time code from the link the backend printed; sets the
 *       session cookie and redirects to /agents (the address bar then shows /agents: the code is
 *       not left to copy).
 *   <li>{@code GET /login}: a form; {@code POST /login} with {@code token=...} in the body signs in
 *       with the dashboard token itself (the token is never put in a URL).
 *   <li>{@code POST /logout}: revokes the session on the server, clears the cookie and redirects to
 *       the form.
 *   <li>At most 20 failed sign-ins per minute from one client address (then 429 for that address
 *       only).
 * </ul>
 */
final class LoginHandler implements HttpHandler {

  static final String LOGIN_PATH = "/login";
  static final String LOGOUT_PATH = "/logout";
  private static final int MAX_FORM_BYTES = 8 * 1024;
  private static final int MAX_FAILURES_PER_WINDOW = 20;
  private static final Duration FAILURE_WINDOW = Duration.ofMinutes(1);
  private static final int MAX_TRACKED_CLIENTS = 10_000;
  private static final String MESSAGE_SLOT = "<!--MESSAGE-->";

  private final LoginCodes codes;
  private final SessionCookies sessions;
  private final Predicate<String> tokenCheck;
  private final Clock clock;
  private final String formTemplate;

  /** Per client address: one client guessing cannot lock everyone else out. */
  private final java.util.Map<InetAddress, Window> failures = new java.util.HashMap<>();

  LoginHandler(
      WebAssets assets,
      LoginCodes codes,
      SessionCookies sessions,
      Predicate<String> tokenCheck,
      Clock clock) {
    this.codes = codes;
    this.sessions = sessions;
    this.tokenCheck = tokenCheck;
    this.clock = clock;
    this.formTemplate = new String(assets.require("login.html").bytes(), StandardCharsets.UTF_8);
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try {
      String path = exchange.getRequestURI().getRawPath();
      String method = exchange.getRequestMethod();
      if (path.equals(LOGOUT_PATH)) {
        if ("POST".equals(method)) {
          sessions.revoke(sessions.valueFrom(exchange.getRequestHeaders().getFirst("Cookie")));
          exchange
              .getResponseHeaders()
              .add("Set-Cookie", sessions.clearCookieHeader(Http.isSecure(exchange)));
          Http.redirect(exchange, LOGIN_PATH);
        } else {
          Http.methodNotAllowed(exchange, "POST");
        }
      } else if (!path.equals(LOGIN_PATH)) {
        Http.sendText(exchange, 404, "Not found");
      } else if ("POST".equals(method)) {
        tokenForm(exchange);
      } else if (Http.isGetOrHead(exchange)) {
        String code = queryParameter(exchange.getRequestURI().getRawQuery(), "code");
        if (code == null) {
          form(exchange, 200, null);
        } else if (codes.consume(code)) {
          signIn(exchange);
        } else {
          form(
              exchange,
              403,
              "This login link was already used or has expired. "
                  + "Sign in with the dashboard token, or restart the backend for a new link.");
        }
      } else {
        Http.methodNotAllowed(exchange, "GET, HEAD, POST");
      }
    } finally {
      exchange.close();
    }
  }

  private void tokenForm(HttpExchange exchange) throws IOException {
    InetAddress client = exchange.getRemoteAddress().getAddress();
    if (tooManyFailures(client)) {
      Http.sendText(exchange, 429, "Too many failed sign-ins: wait a minute and try again.");
      return;
    }
    String body = readForm(exchange);
    String token = body == null ? null : queryParameter(body, "token");
    if (token != null && !token.isEmpty() && tokenCheck.test(token)) {
      signIn(exchange);
    } else {
      recordFailure(client);
      form(exchange, 401, "That token was not accepted.");
    }
  }

  private void signIn(HttpExchange exchange) throws IOException {
    exchange
        .getResponseHeaders()
        .add("Set-Cookie", sessions.setCookieHeader(sessions.issue(), Http.isSecure(exchange)));
    Http.redirect(exchange, PageHandler.PAGE_PATH);
  }

  private void form(HttpExchange exchange, int status, String message) throws IOException {
    String slot =
        message == null
            ? ""
            : "<p class=\"login-error\" role=\"alert\">" + Http.escapeHtml(message) + "</p>";
    byte[] body = formTemplate.replace(MESSAGE_SLOT, slot).getBytes(StandardCharsets.UTF_8);
    Headers headers = exchange.getResponseHeaders();
    Http.securityHeaders(headers);
    headers.set("Cache-Control", "no-store");
    headers.set("Content-Security-Policy", Http.contentSecurityPolicy(null, 0));
    Http.send(exchange, status, "text/html; charset=utf-8", body);
  }

  private static String readForm(HttpExchange exchange) throws IOException {
    try (InputStream in = exchange.getRequestBody()) {
      byte[] bytes = in.readNBytes(MAX_FORM_BYTES + 1);
      return bytes.length > MAX_FORM_BYTES ? null : new String(bytes, StandardCharsets.US_ASCII);
    }
  }

  /**
   * The first value of {@code name} in an {@code a=b&c=d} string, decoded; null when absent or bad.
   */
  static String queryParameter(String query, String name) {
    if (query == null) {
      return null;
    }
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      String key = eq < 0 ? pair : pair.substring(0, eq);
      if (key.equals(name)) {
        try {
          return URLDecoder.decode(eq < 0 ? "" : pair.substring(eq + 1), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
          return null;
        }
      }
    }
    return null;
  }

  /** Failed sign-ins in the current window of one client address. */
  private static final class Window {
    Instant start;
    int failures;
  }

  private synchronized boolean tooManyFailures(InetAddress client) {
    Window w = window(client);
    return w.failures >= MAX_FAILURES_PER_WINDOW;
  }

  private synchronized void recordFailure(InetAddress client) {
    window(client).failures++;
  }

  /**
   * The client's window, restarted when a minute has passed; old windows are dropped, so the map
   * stays small.
   */
  private Window window(InetAddress client) {
    Instant now = clock.instant();
    if (failures.size() > MAX_TRACKED_CLIENTS) {
      failures.values().removeIf(w -> now.isAfter(w.start.plus(FAILURE_WINDOW)));
    }
    Window w = failures.computeIfAbsent(client, c -> new Window());
    if (w.start == null || now.isAfter(w.start.plus(FAILURE_WINDOW))) {
      w.start = now;
      w.failures = 0;
    }
    return w;
  }
}
