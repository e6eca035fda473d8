package ai.onsembl.backend.internal.web;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.function.IntSupplier;
import java.util.function.Predicate;

/**
 * The /agents page on the backend's HTTP server, and its cookie sign-in.
 *
 * <p>Routes: {@code GET /agents}, {@code GET /static/agents.css|agents.js}, {@code GET|POST /login},
 * {@code POST /logout}. The backend prints {@link #loginLink(String)} at startup; opening it sets an
 * HttpOnly, SameSite=Strict session cookie that {@code /ws/dashboard} and {@code /api/*} accept as an
 * alternative to the Bearer token through {@link #authenticates(String, String, String, String)}.
 */
public final class DashboardWeb {

  /** Default session lifetime: long enough to keep the page open for days. */
  public static final Duration DEFAULT_SESSION_LIFETIME = Duration.ofDays(7);
  /** Default validity of an unused one-time login code. */
  public static final Duration DEFAULT_LOGIN_CODE_TTL = Duration.ofHours(1);

  private final WebAssets assets = WebAssets.fromClasspath();
  private volatile SessionCookies sessions;
  private final LoginCodes codes;
  private final Predicate<String> tokenCheck;
  private final IntSupplier dashboardWsPort;
  private final Clock clock;

  /**
   * @param tokenCheck accepts the dashboard token (the sign-in form's check)
   * @param sessionSecret the secret sessions are signed with: pass the dashboard token (or JWT secret)
   *     bytes so sessions survive a backend restart with the same configuration
   * @param dashboardWsPort the port {@code /ws/dashboard} listens on (read per request, so it may be
   *     known only after the server started); 0 means the HTTP port itself
   */
  public DashboardWeb(Predicate<String> tokenCheck, byte[] sessionSecret, IntSupplier dashboardWsPort) {
    this(tokenCheck, sessionSecret, dashboardWsPort, DEFAULT_SESSION_LIFETIME, DEFAULT_LOGIN_CODE_TTL,
        Clock.systemUTC());
  }

  /** As {@link #DashboardWeb(Predicate, byte[], IntSupplier)} with explicit lifetimes and clock. */
  public DashboardWeb(Predicate<String> tokenCheck, byte[] sessionSecret, IntSupplier dashboardWsPort,
      Duration sessionLifetime, Duration loginCodeTtl, Clock clock) {
    this.tokenCheck = Objects.requireNonNull(tokenCheck, "tokenCheck");
    this.dashboardWsPort = Objects.requireNonNull(dashboardWsPort, "dashboardWsPort");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.sessions = new SessionCookies(sessionSecret, sessionLifetime, clock);
    this.codes = new LoginCodes(loginCodeTtl, clock);
  }

  /**
   * Adds the page's routes to {@code server} (before or after it started). The session cookie is named
   * after the server's port ({@code onsembl_session_8080}), so backends on different ports of one host
   * keep their own sign-ins.
   */
  public void register(HttpServer server) {
    sessions = sessions.named(SessionCookies.NAME + "_" + server.getAddress().getPort());
    PageHandler page = new PageHandler(assets, sessions, dashboardWsPort);
    LoginHandler login = new LoginHandler(assets, codes, sessions, tokenCheck, clock);
    server.createContext(PageHandler.PAGE_PATH, page);
    server.createContext(PageHandler.STATIC_PREFIX, page);
    server.createContext(LoginHandler.LOGIN_PATH, login);
    server.createContext(LoginHandler.LOGOUT_PATH, login);
  }

  /** A new one-time login code. */
  public String issueLoginCode() {
    return codes.issue();
  }

  /**
   * A new one-time login link, e.g. {@code http://127.0.0.1:8080/login?code=...}.
   *
   * @param httpBase the HTTP server's base URL without a trailing slash
   */
  public String loginLink(String httpBase) {
    return httpBase + LoginHandler.LOGIN_PATH + "?code=" + codes.issue();
  }

  /**
   * True when a request authenticates with the session cookie: the cookie is valid, and the request
   * comes from a page of the same host. A browser always sends {@code Origin} on a WebSocket handshake
   * and on a cross-origin or unsafe fetch; requiring it to name the request's own host (the page and the
   * socket may be on different ports) stops another site from riding the cookie (cross-site WebSocket
   * hijacking), on top of SameSite=Strict. A request without {@code Origin} is accepted only for
   * GET/HEAD of the REST API, never for the WebSocket upgrade or a write.
   *
   * @param method the HTTP method ({@code GET} for a WebSocket upgrade)
   * @param cookieHeader the {@code Cookie} header, may be null
   * @param originHeader the {@code Origin} header, may be null
   * @param hostHeader the {@code Host} header, may be null
   */
  public boolean authenticates(String method, String cookieHeader, String originHeader, String hostHeader) {
    if (!sessions.isValidHeader(cookieHeader)) {
      return false;
    }
    String host = Http.hostname(hostHeader);
    if (originHeader == null) {
      String m = method == null ? "" : method.toUpperCase(Locale.ROOT);
      return m.equals("GET") || m.equals("HEAD");
    }
    String origin = Http.originHostname(originHeader);
    return host != null && host.equals(origin);
  }

  /** {@link #authenticates(String, String, String, String)} for a request to the HTTP server. */
  public boolean authenticates(HttpExchange exchange) {
    Headers h = exchange.getRequestHeaders();
    return authenticates(exchange.getRequestMethod(), h.getFirst("Cookie"), h.getFirst("Origin"), h.getFirst("Host"));
  }

  /** Same as {@link #authenticates(String, String, String, String)} for a WebSocket upgrade request. */
  public boolean authenticatesUpgrade(String cookieHeader, String originHeader, String hostHeader) {
    return originHeader != null && authenticates("GET", cookieHeader, originHeader, hostHeader);
  }
}
