package ai.onsembl.backend.internal.http;

import ai.onsembl.backend.internal.BackendApi;
import ai.onsembl.backend.internal.DeviceAuth;
import ai.onsembl.backend.internal.http.Router.Access;
import ai.onsembl.backend.internal.http.Router.Request;
import ai.onsembl.backend.internal.http.Router.Response;
import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpsExchange;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The device login as the Onsembl backend offers it to its CLI (RFC 8628): {@code POST
 * /api/auth/device/authorize} and {@code /api/auth/device/token} and {@code /api/auth/cli/refresh}
 * are public; {@code POST /api/auth/device/confirm} needs a signed-in dashboard user (Bearer token
 * or the /agents page's session). Errors are RFC 6749 style: {@code {"error": ...,
 * "error_description": ...}}.
 */
final class DeviceRoutes {
  static final String DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";
  private final BackendApi api;

  private DeviceRoutes(BackendApi api) {
    this.api = api;
  }

  static void register(Router router, BackendApi api) {
    DeviceRoutes r = new DeviceRoutes(api);
    router
        .add("POST", "/api/auth/device/authorize", Access.PUBLIC, r::authorize)
        .add("POST", "/api/auth/device/token", Access.PUBLIC, r::token)
        .add("POST", "/api/auth/cli/refresh", Access.PUBLIC, r::refresh)
        .add("POST", "/api/auth/device/confirm", Access.DASHBOARD, r::confirm);
  }

  private Response authorize(Request req) throws Exception {
    JsonNode body = Json.readObject(req.body());
    String clientId = text(body, "client_id");
    if (clientId == null || clientId.isBlank()) {
      return oauthError(
          400, "invalid_request", "expected {\"client_id\": \"onsembl-cli\", \"scope\": ...}");
    }
    String scope = text(body, "scope");
    DeviceAuth.Authorization a =
        api.deviceAuth().authorize(clientId, scope == null ? "agent:manage" : scope);
    String base = base(req);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("device_code", a.deviceCode());
    out.put("user_code", a.userCode());
    out.put("verification_uri", base + "/agents");
    out.put("verification_uri_complete", base + "/agents?user_code=" + a.userCode());
    out.put("expires_in", a.expiresIn());
    out.put("interval", a.interval());
    return Response.json(200, out);
  }

  private Response token(Request req) throws Exception {
    JsonNode body = Json.readObject(req.body());
    if (!DEVICE_GRANT.equals(text(body, "grant_type"))) {
      return oauthError(
          400,
          "unsupported_grant_type",
          "expected grant_type " + DEVICE_GRANT + " but got " + text(body, "grant_type"));
    }
    String deviceCode = text(body, "device_code");
    if (deviceCode == null || deviceCode.isBlank()) {
      return oauthError(400, "invalid_request", "expected a device_code");
    }
    DeviceAuth.Result r = api.deviceAuth().poll(deviceCode);
    if (!r.isOk()) {
      return oauthError(400, r.error(), r.description());
    }
    Map<String, Object> out = tokens(r.tokens());
    out.put("scope", r.tokens().scope());
    return Response.json(200, out);
  }

  private Response refresh(Request req) throws Exception {
    JsonNode body = Json.readObject(req.body());
    String refresh = text(body, "refresh_token");
    if (refresh == null || refresh.isBlank()) {
      return oauthError(
          400,
          "invalid_request",
          "expected {\"refresh_token\": ..., \"grant_type\": \"refresh_token\"}");
    }
    DeviceAuth.Result r = api.deviceAuth().refresh(refresh);
    if (!r.isOk()) {
      return oauthError(401, r.error(), r.description());
    }
    return Response.json(200, tokens(r.tokens()));
  }

  private Response confirm(Request req) throws Exception {
    JsonNode body = Json.readObject(req.body());
    String userCode = text(body, "user_code");
    if (userCode == null || userCode.isBlank()) {
      return oauthError(400, "invalid_request", "expected {\"user_code\": \"ABCD-EFGH\"}");
    }
    String user = api.dashboardSubject(HttpAuth.bearer(req.exchange()).orElse(null));
    DeviceAuth.Result r = api.deviceAuth().confirm(userCode, user);
    if (!r.isOk()) {
      return oauthError(400, r.error(), r.description());
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("approved", true);
    out.put("user_code", userCode);
    return Response.json(200, out);
  }

  private static Map<String, Object> tokens(DeviceAuth.Tokens t) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("access_token", t.accessToken());
    out.put("refresh_token", t.refreshToken());
    out.put("token_type", "Bearer");
    out.put("expires_in", t.expiresIn());
    out.put("user_id", t.userId());
    return out;
  }

  private static Response oauthError(int status, String error, String description) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("error", error);
    out.put("error_description", description);
    return Response.json(status, out);
  }

  private static String text(JsonNode body, String field) {
    JsonNode n = body.get(field);
    return n != null && n.isTextual() ? n.textValue() : null;
  }

  /** The base URL the client reached us on: its Host header, https when the server is. */
  private static String base(Request req) {
    String host = req.exchange().getRequestHeaders().getFirst("Host");
    if (host == null || host.isBlank()) {
      host =
          req.exchange().getLocalAddress().getHostString()
              + ":"
              + req.exchange().getLocalAddress().getPort();
    }
    return (req.exchange() instanceof HttpsExchange ? "https" : "http") + "://" + host;
  }
}
