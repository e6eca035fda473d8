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
 * <p>Routes: {@code GET /agents}, {@code GET /static/agents.css|agents.js}, {@code GET|POST
 * /login}, {@code POST /logout}. The backend prints {@link #loginLink(String)} at startup; opening
 * it sets an HttpOnly, SameSite=Strict session cookie that {@code /ws/dashboard} and {@code /api/*}
 * accept as an alternative to the Bearer token through {@link #authenticates(String, String,
 * String, String)}.
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

  /** The page's origin, known once {@link #register} ran. */
  private volatile int httpPort;

  private volatile boolean secure;

  /**
   * @param tokenCheck accepts the dashboard token (the sign-in form's check)
   * @param sessionSecret the secret sessions are signed with: pass the dashboard token (or JWT
   *     secret) bytes so sessions survive a backend restart with the same configuration
   * @param dashboardWsPort the port {@code /ws/dashboard} listens on (read per request, so it may
   *     be known only after the server started); 0 means the HTTP port itself
   */
  public DashboardWeb(
      Predicate<String> tokenCheck, byte[] sessionSecret, IntSupplier dashboardWsPort) {
    this(
        tokenCheck,
        sessionSecret,
        dashboardWsPort,
        DEFAULT_SESSION_LIFETIME,
        DEFAULT_LOGIN_CODE_TTL,
        Clock.systemUTC());
  }

  /** As {@link #DashboardWeb(Predicate, byte[], IntSupplier)} with explicit lifetimes and clock. */
  public DashboardWeb(
      Predicate<String> tokenCheck,
      byte[] sessionSecret,
      IntSupplier dashboardWsPort,
      Duration sessionLifetime,
      Duration loginCodeTtl,
      Clock clock) {
    this.tokenCheck = Objects.requireNonNull(tokenCheck, "tokenCheck");
    this.dashboardWsPort = Objects.requireNonNull(dashboardWsPort, "dashboardWsPort");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.sessions = new SessionCookies(sessionSecret, sessionLifetime, clock);
    this.codes = new LoginCodes(loginCodeTtl, clock);
  }

  /**
   * Adds the page's routes to {@code server} (before or after it started). The session cookie is
   * named after the server's port ({@code onsembl_session_8080}), so backends on different ports of
   * one host keep their own sign-ins.
   */
  public void register(HttpServer server) {
    httpPort = server.getAddress().getPort();
    secure = server instanceof com.sun.net.httpserver.HttpsServer;
    sessions = sessions.named(SessionCookies.NAME + "_" + httpPort);
    PageHandler page = new PageHandler(assets, sessions, dashboardWsPort);
    LoginHandler login = new LoginHandler(assets, codes, sessions, tokenCheck, clock);
    server.createContext(PageHandler.PAGE_PATH, page);
    server.createContext(PageHandler.STATIC_PREFIX, page);
    server.createContext(LoginHandler.LOGIN_PATH, login);
    server.createContext(LoginHandler.LOGOUT_PATH, login);
  }

  /**
   * Keeps sign-outs in {@code store} (the backend's database, so they outlive a restart); call
   * before {@link #register}.
   */
  public void useRevocations(SessionCookies.Revocations store) {
    sessions = sessions.withRevocations(store);
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
   * True when a request authenticates with the session cookie: the cookie is valid (issued here,
   * not expired, not signed out), and the request comes from the page itself. A browser always
   * sends {@code Origin} on a WebSocket handshake and on a cross-origin or unsafe fetch; it must be
   * exactly the page's origin (scheme, host and HTTP port): another web app on the same host but
   * another port is the same site for SameSite=Strict, so the cookie alone would let its pages
   * drive this API. A write must also be JSON ({@code Content-Type: application/json}), which a
   * cross-site form cannot send. A request without {@code Origin} is accepted only for GET/HEAD of
   * the REST API, never for the WebSocket upgrade or a write.
   *
   * @param method the HTTP method ({@code GET} for a WebSocket upgrade)
   * @param cookieHeader the {@code Cookie} header, may be null
   * @param originHeader the {@code Origin} header, may be null
   * @param hostHeader the {@code Host} header, may be null
   * @param contentType the {@code Content-Type} header, may be null
   */
  public boolean authenticates(
      String method,
      String cookieHeader,
      String originHeader,
      String hostHeader,
      String contentType) {
    if (!sessions.isValidHeader(cookieHeader)) {
      return false;
    }
    String m = method == null ? "" : method.toUpperCase(Locale.ROOT);
    boolean read = m.equals("GET") || m.equals("HEAD");
    if (originHeader == null) {
      return read;
    }
    if (!isPageOrigin(originHeader, hostHeader)) {
      return false;
    }
    return read || isJson(contentType);
  }

  /**
   * Whether {@code origin} is exactly this page's origin: our scheme, the Host's name, our HTTP
   * port.
   */
  boolean isPageOrigin(String origin, String hostHeader) {
    String hostname = Http.hostname(hostHeader);
    int port = httpPort;
    if (hostname == null || port <= 0) {
      return false;
    }
    String scheme = secure ? "https" : "http";
    return (scheme + "://" + hostname + ":" + port).equals(Http.normalizedOrigin(origin));
  }

  private static boolean isJson(String contentType) {
    if (contentType == null) {
      return false;
    }
    int semi = contentType.indexOf(';');
    String type =
        (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
    return type.equals("application/json");
  }

  /**
   * {@link #authenticates(String, String, String, String, String)} for a request to the HTTP
   * server.
   */
  public boolean authenticates(HttpExchange exchange) {
    Headers h = exchange.getRequestHeaders();
    return authenticates(
        exchange.getRequestMethod(),
        h.getFirst("Cookie"),
        h.getFirst("Origin"),
        h.getFirst("Host"),
        h.getFirst("Content-Type"));
  }

  /**
   * The same for a WebSocket upgrade to the dashboard socket (on the WebSocket port: the Host names
   * that port, but the Origin must still be the page's, on the HTTP port).
   */
  public boolean authenticatesUpgrade(String cookieHeader, String originHeader, String hostHeader) {
    return originHeader != null
        && authenticates("GET", cookieHeader, originHeader, hostHeader, null);
  }
}
