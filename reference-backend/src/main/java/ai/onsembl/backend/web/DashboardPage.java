package ai.onsembl.backend.web;

import ai.onsembl.backend.internal.web.DashboardWeb;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.util.function.IntSupplier;
import java.util.function.Predicate;

/**
 * The reference backend's /agents page and its cookie sign-in, for an HTTP server of your own: the
 * page's routes ({@code GET /agents}, {@code /static/*}, {@code GET|POST /login}, {@code POST
 * /logout}), one-time login links, and the session check your {@code /ws/dashboard} and REST
 * handlers apply. The backend itself uses the same page; a dashboard socket of your own (a scripted
 * one in a test of the page) serves the page's live data.
 *
 * <p>Thread-safe. Sessions are signed with {@code sessionSecret}, so they survive a restart with
 * the same secret.
 */
public final class DashboardPage {
  private final DashboardWeb web;

  /**
   * @param tokenCheck accepts the dashboard token (the sign-in form's check)
   * @param sessionSecret the secret sessions are signed with
   * @param dashboardWsPort the port {@code /ws/dashboard} listens on, read per request; 0 means the
   *     HTTP port
   */
  public DashboardPage(
      Predicate<String> tokenCheck, byte[] sessionSecret, IntSupplier dashboardWsPort) {
    this.web = new DashboardWeb(tokenCheck, sessionSecret, dashboardWsPort);
  }

  /** Adds the page's routes to {@code server} (before or after it started). */
  public void register(HttpServer server) {
    web.register(server);
  }

  /**
   * A new one-time sign-in link, {@code <httpBase>/login?code=...}; {@code httpBase} has no
   * trailing slash.
   */
  public String loginLink(String httpBase) {
    return web.loginLink(httpBase);
  }

  /**
   * True when the request carries a valid session cookie and comes from a page of the same host
   * (requests without {@code Origin} only for GET/HEAD).
   */
  public boolean authenticates(HttpExchange exchange) {
    return web.authenticates(exchange);
  }

  /**
   * True when a WebSocket upgrade carries a valid session cookie and a same-host {@code Origin}.
   */
  public boolean authenticatesUpgrade(String cookieHeader, String originHeader, String hostHeader) {
    return web.authenticatesUpgrade(cookieHeader, originHeader, hostHeader);
  }
}
