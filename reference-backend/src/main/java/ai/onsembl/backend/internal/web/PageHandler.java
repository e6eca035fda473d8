package ai.onsembl.backend.internal.web;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.IntSupplier;

/**
 * Serves {@code GET /agents} (signed-in only; otherwise a redirect to the sign-in form) and the
 * page's static files under {@code /static/}.
 */
final class PageHandler implements HttpHandler {

  static final String PAGE_PATH = "/agents";
  static final String STATIC_PREFIX = "/static/";
  private static final String WS_PORT_PLACEHOLDER = "__ONSEMBL_WS_PORT__";

  private final WebAssets assets;
  private final SessionCookies sessions;
  private final IntSupplier wsPort;
  private final String pageTemplate;

  PageHandler(WebAssets assets, SessionCookies sessions, IntSupplier wsPort) {
    this.assets = assets;
    this.sessions = sessions;
    this.wsPort = wsPort;
    this.pageTemplate = new String(assets.require("agents.html").bytes(), StandardCharsets.UTF_8);
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try {
      // getRawPath: the undecoded path, so "%2e%2e" or "%2f" never turn into something else here.
      String path = exchange.getRequestURI().getRawPath();
      if (path.equals(PAGE_PATH) || path.equals(PAGE_PATH + "/")) {
        page(exchange);
      } else if (path.startsWith(STATIC_PREFIX)) {
        staticFile(exchange, path.substring(STATIC_PREFIX.length()));
      } else {
        Http.sendText(exchange, 404, "Not found");
      }
    } finally {
      exchange.close();
    }
  }

  private void page(HttpExchange exchange) throws IOException {
    if (!Http.isGetOrHead(exchange)) {
      Http.methodNotAllowed(exchange, "GET, HEAD");
      return;
    }
    if (!sessions.isValidHeader(exchange.getRequestHeaders().getFirst("Cookie"))) {
      Http.redirect(exchange, LoginHandler.LOGIN_PATH);
      return;
    }
    int port = wsPort.getAsInt();
    int httpPort = exchange.getLocalAddress().getPort();
    // Same port (or unknown): the page uses its own origin's port.
    String portText = port > 0 && port != httpPort ? Integer.toString(port) : "";
    byte[] body =
        pageTemplate.replace(WS_PORT_PLACEHOLDER, portText).getBytes(StandardCharsets.UTF_8);
    Headers headers = exchange.getResponseHeaders();
    Http.securityHeaders(headers);
    headers.set("Cache-Control", "no-store");
    headers.set(
        "Content-Security-Policy",
        Http.contentSecurityPolicy(exchange.getRequestHeaders().getFirst("Host"), port));
    Http.send(exchange, 200, "text/html; charset=utf-8", body);
  }

  private void staticFile(HttpExchange exchange, String name) throws IOException {
    if (!Http.isGetOrHead(exchange)) {
      Http.methodNotAllowed(exchange, "GET, HEAD");
      return;
    }
    // Only the stylesheet and script are public; the HTML files are served by their own routes.
    Optional<WebAssets.Asset> found = name.endsWith(".html") ? Optional.empty() : assets.get(name);
    if (found.isEmpty()) {
      Http.sendText(exchange, 404, "Not found");
      return;
    }
    WebAssets.Asset asset = found.get();
    Headers headers = exchange.getResponseHeaders();
    Http.securityHeaders(headers);
    // Revalidate every time (cheap 304): a backend upgrade is visible at once, never a stale
    // script.
    headers.set("Cache-Control", "no-cache");
    headers.set("ETag", asset.etag());
    String ifNoneMatch = exchange.getRequestHeaders().getFirst("If-None-Match");
    if (ifNoneMatch != null && ifNoneMatch.contains(asset.etag())) {
      exchange.sendResponseHeaders(304, -1);
      return;
    }
    Http.send(exchange, 200, asset.contentType(), asset.bytes());
  }
}
