package ai.onsembl.backend.internal.web;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Pattern;

/** Response plumbing shared by the page's handlers: security headers, bodies, redirects. */
final class Http {

  /** A Host header we are willing to echo into a CSP: hostname or [IPv6], optional port. */
  private static final Pattern SAFE_HOST =
      Pattern.compile("^(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9.-]{1,253})(:[0-9]{1,5})?$");

  private Http() {}

  static boolean isHead(HttpExchange exchange) {
    return "HEAD".equals(exchange.getRequestMethod());
  }

  static boolean isGetOrHead(HttpExchange exchange) {
    String method = exchange.getRequestMethod();
    return "GET".equals(method) || "HEAD".equals(method);
  }

  static boolean isSecure(HttpExchange exchange) {
    return exchange instanceof HttpsExchange;
  }

  /** Headers every page response carries: no sniffing, no framing, no referrer leaks. */
  static void securityHeaders(Headers headers) {
    headers.set("X-Content-Type-Options", "nosniff");
    headers.set("X-Frame-Options", "DENY");
    headers.set("Referrer-Policy", "no-referrer");
    headers.set("Cross-Origin-Opener-Policy", "same-origin");
  }

  /**
   * A CSP that lets the page load only its own files and open its WebSocket on {@code wsPort} of
   * the host it was loaded from (a different port is a different origin, so {@code 'self'} alone
   * would not do).
   */
  static String contentSecurityPolicy(String hostHeader, int wsPort) {
    StringBuilder connect = new StringBuilder("'self'");
    String hostname = hostname(hostHeader);
    if (hostname != null && wsPort > 0) {
      connect.append(" ws://").append(hostname).append(':').append(wsPort);
      connect.append(" wss://").append(hostname).append(':').append(wsPort);
    }
    return "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        + "connect-src "
        + connect
        + "; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
  }

  /** The hostname part of a Host header when it is well-formed, else null. */
  static String hostname(String hostHeader) {
    if (hostHeader == null || !SAFE_HOST.matcher(hostHeader).matches()) {
      return null;
    }
    if (hostHeader.startsWith("[")) {
      return hostHeader.substring(0, hostHeader.indexOf(']') + 1).toLowerCase(Locale.ROOT);
    }
    int colon = hostHeader.indexOf(':');
    return (colon < 0 ? hostHeader : hostHeader.substring(0, colon)).toLowerCase(Locale.ROOT);
  }

  /** The hostname of an Origin header ({@code scheme://host[:port]}), or null when it has none. */
  static String originHostname(String origin) {
    if (origin == null || origin.isEmpty() || "null".equals(origin)) {
      return null;
    }
    try {
      URI uri = URI.create(origin);
      String scheme = uri.getScheme();
      if (uri.getHost() == null || !("http".equals(scheme) || "https".equals(scheme))) {
        return null;
      }
      return uri.getHost().toLowerCase(Locale.ROOT);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /**
   * An Origin header as {@code scheme://host:port} (lower case, the scheme's default port filled
   * in), or null when it is not an http(s) origin.
   */
  static String normalizedOrigin(String origin) {
    if (origin == null || origin.isEmpty() || "null".equals(origin)) {
      return null;
    }
    try {
      URI uri = URI.create(origin);
      String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
      if (uri.getHost() == null
          || !("http".equals(scheme) || "https".equals(scheme))
          || (uri.getRawPath() != null && !uri.getRawPath().isEmpty())
          || uri.getRawQuery() != null
          || uri.getUserInfo() != null) {
        return null;
      }
      int port = uri.getPort() >= 0 ? uri.getPort() : "https".equals(scheme) ? 443 : 80;
      return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + ":" + port;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  static void send(HttpExchange exchange, int status, String contentType, byte[] body)
      throws IOException {
    Headers headers = exchange.getResponseHeaders();
    headers.set("Content-Type", contentType);
    if (isHead(exchange)) {
      headers.set("Content-Length", Integer.toString(body.length));
      exchange.sendResponseHeaders(status, -1);
      return;
    }
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  static void sendText(HttpExchange exchange, int status, String text) throws IOException {
    exchange.getResponseHeaders().set("Cache-Control", "no-store");
    securityHeaders(exchange.getResponseHeaders());
    send(
        exchange,
        status,
        "text/plain; charset=utf-8",
        (text + "\n").getBytes(StandardCharsets.UTF_8));
  }

  /** 303 See Other: after a POST or a login link the browser follows with a GET. */
  static void redirect(HttpExchange exchange, String location) throws IOException {
    Headers headers = exchange.getResponseHeaders();
    headers.set("Location", location);
    headers.set("Cache-Control", "no-store");
    securityHeaders(headers);
    exchange.sendResponseHeaders(303, -1);
  }

  static void methodNotAllowed(HttpExchange exchange, String allow) throws IOException {
    exchange.getResponseHeaders().set("Allow", allow);
    sendText(exchange, 405, "Method not allowed: use " + allow);
  }

  static String escapeHtml(String text) {
    StringBuilder out = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}
