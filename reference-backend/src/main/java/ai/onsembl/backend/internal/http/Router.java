package ai.onsembl.backend.internal.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Method + path-pattern routing ({@code /api/agents/{id}}) on the JDK HttpServer, with an access
 * level per route. Unknown paths get 404 JSON, a wrong method 405, a missing credential 401;
 * handlers return a {@link Response} or throw {@link HttpError}.
 */
public final class Router implements HttpHandler {
  private static final Logger LOG = LoggerFactory.getLogger(Router.class);
  private static final int MAX_BODY_BYTES = 1024 * 1024;

  /** Who may call a route. */
  public enum Access {
    PUBLIC,
    DASHBOARD
  }

  /** A handler's view of the request. */
  public record Request(
      HttpExchange exchange, Map<String, String> pathParams, Map<String, String> query) {
    public String path(String name) {
      return pathParams.get(name);
    }

    public String query(String name) {
      return query.get(name);
    }

    public int intQuery(String name, int defaultValue, int max) {
      String v = query.get(name);
      if (v == null) {
        return defaultValue;
      }
      try {
        int n = Integer.parseInt(v);
        if (n >= 1) {
          return Math.min(n, max);
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw new HttpError(
          400, "INVALID_MESSAGE", name + " must be a positive integer but was '" + v + "'");
    }

    public byte[] body() throws IOException {
      try (InputStream in = exchange.getRequestBody()) {
        byte[] bytes = in.readNBytes(MAX_BODY_BYTES + 1);
        if (bytes.length > MAX_BODY_BYTES) {
          throw new HttpError(
              413, "RESOURCE_EXHAUSTED", "body larger than " + MAX_BODY_BYTES + " bytes");
        }
        return bytes;
      }
    }
  }

  /** What a handler answers. */
  public record Response(int status, String contentType, byte[] body, Map<String, String> headers) {
    public static Response json(int status, Object value) {
      return new Response(status, "application/json; charset=utf-8", Json.write(value), Map.of());
    }

    public static Response error(int status, String code, String message) {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("code", code);
      body.put("message", message);
      return json(status, body);
    }

    public Response withHeader(String name, String value) {
      Map<String, String> h = new LinkedHashMap<>(headers);
      h.put(name, value);
      return new Response(status, contentType, body, h);
    }
  }

  /** Thrown by handlers for a clear non-2xx answer. */
  public static final class HttpError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;
    final String code;

    public HttpError(int status, String code, String message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  /** A route's work. */
  @FunctionalInterface
  public interface Handler {
    Response handle(Request request) throws Exception;
  }

  private record Route(
      String method, Pattern pattern, List<String> names, Access access, Handler handler) {}

  private final List<Route> routes = new CopyOnWriteArrayList<>();
  private final HttpAuth auth;

  Router(HttpAuth auth) {
    this.auth = auth;
  }

  public HttpAuth auth() {
    return auth;
  }

  /** Adds a route; {@code {name}} in the pattern matches one path segment. Earlier routes win. */
  public Router add(String method, String pathPattern, Access access, Handler handler) {
    List<String> names = new ArrayList<>();
    Matcher m = Pattern.compile("\\{(\\w+)}").matcher(pathPattern);
    StringBuilder regex = new StringBuilder();
    int last = 0;
    while (m.find()) {
      regex.append(Pattern.quote(pathPattern.substring(last, m.start()))).append("([^/]+)");
      names.add(m.group(1));
      last = m.end();
    }
    regex.append(Pattern.quote(pathPattern.substring(last)));
    routes.add(new Route(method, Pattern.compile(regex.toString()), names, access, handler));
    return this;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    Response response;
    try {
      response = route(exchange);
    } catch (HttpError e) {
      response = Response.error(e.status, e.code, e.getMessage());
    } catch (Exception e) {
      LOG.error("{} {} failed", exchange.getRequestMethod(), exchange.getRequestURI(), e);
      response =
          Response.error(500, "INTERNAL_ERROR", "internal error: " + e.getClass().getSimpleName());
    }
    write(exchange, response);
  }

  private Response route(HttpExchange exchange) throws Exception {
    String method = exchange.getRequestMethod();
    String path = exchange.getRequestURI().getRawPath();
    Set<String> allowed = new LinkedHashSet<>();
    for (Route r : routes) {
      Matcher m = r.pattern.matcher(path);
      if (!m.matches()) {
        continue;
      }
      if (!r.method.equals(method) && !("HEAD".equals(method) && "GET".equals(r.method))) {
        allowed.add(r.method);
        continue;
      }
      if (r.access == Access.DASHBOARD && !auth.authorized(exchange)) {
        return Response.error(
                401,
                "UNAUTHORIZED",
                "missing or invalid dashboard token: send Authorization: Bearer <dashboard token>")
            .withHeader("WWW-Authenticate", "Bearer realm=\"onsembl\"");
      }
      Map<String, String> params = new LinkedHashMap<>();
      for (int i = 0; i < r.names.size(); i++) {
        params.put(r.names.get(i), URLDecoder.decode(m.group(i + 1), StandardCharsets.UTF_8));
      }
      return r.handler.handle(
          new Request(exchange, params, query(exchange.getRequestURI().getRawQuery())));
    }
    if (!allowed.isEmpty()) {
      return Response.error(
              405, "METHOD_NOT_ALLOWED", method + " not allowed on " + path + "; use " + allowed)
          .withHeader("Allow", String.join(", ", allowed));
    }
    return Response.error(404, "NOT_FOUND", "no route for " + method + " " + path);
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> out = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return out;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      out.putIfAbsent(k, v);
    }
    return out;
  }

  private static void write(HttpExchange exchange, Response r) throws IOException {
    try (exchange) {
      r.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
      exchange.getResponseHeaders().set("Content-Type", r.contentType());
      exchange.getResponseHeaders().set("Cache-Control", "no-store");
      boolean head = "HEAD".equals(exchange.getRequestMethod());
      exchange.sendResponseHeaders(
          r.status(), head ? -1 : r.body().length == 0 ? -1 : r.body().length);
      if (!head && r.body().length > 0) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(r.body());
        }
      }
    }
  }
}
