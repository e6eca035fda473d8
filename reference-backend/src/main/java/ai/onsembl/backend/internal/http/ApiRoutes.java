package ai.onsembl.backend.internal.http;

import ai.onsembl.backend.internal.BackendApi;
import ai.onsembl.backend.internal.CommandStore.CommandRecord;
import ai.onsembl.backend.internal.Outcome;
import ai.onsembl.backend.internal.http.Router.Access;
import ai.onsembl.backend.internal.http.Router.HttpError;
import ai.onsembl.backend.internal.http.Router.Request;
import ai.onsembl.backend.internal.http.Router.Response;
import ai.onsembl.protocol.ControlAction;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code /api/agents…} and {@code /api/commands…}: all need the dashboard token. */
final class ApiRoutes {
  private final BackendApi api;

  private ApiRoutes(BackendApi api) {
    this.api = api;
  }

  static void register(Router router, BackendApi api) {
    ApiRoutes r = new ApiRoutes(api);
    router
        .add("GET", "/api/agents", Access.DASHBOARD, r::agents)
        .add("GET", "/api/agents/{id}", Access.DASHBOARD, r::agent)
        .add("GET", "/api/agents/{id}/history", Access.DASHBOARD, r::history)
        .add("POST", "/api/agents/{id}/commands", Access.DASHBOARD, r::submit)
        .add("POST", "/api/agents/{id}/control", Access.DASHBOARD, r::control)
        .add("GET", "/api/commands", Access.DASHBOARD, r::commands)
        .add("GET", "/api/commands/{id}", Access.DASHBOARD, r::command)
        .add("POST", "/api/commands/{id}/cancel", Access.DASHBOARD, r::cancel);
  }

  private Response agents(Request req) {
    return Response.json(200, Map.of("agents", api.agents().stream().map(Views::agent).toList()));
  }

  private Response agent(Request req) {
    String id = req.path("id");
    return api.agent(id)
        .map(a -> Response.json(200, Views.agent(a)))
        .orElseGet(() -> Response.error(404, "AGENT_NOT_FOUND", "no agent " + id));
  }

  private Response history(Request req) {
    String id = req.path("id");
    if (api.agent(id).isEmpty()) {
      return Response.error(404, "AGENT_NOT_FOUND", "no agent " + id);
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("agentId", id);
    body.put(
        "history",
        api.history(id, req.intQuery("limit", 100, 1000)).stream().map(Views::history).toList());
    return Response.json(200, body);
  }

  private Response commands(Request req) {
    int limit = req.intQuery("limit", 100, 1000);
    return Response.json(
        200,
        Map.of(
            "commands",
            api.commands(req.query("agentId"), limit).stream().map(Views::command).toList()));
  }

  private Response command(Request req) {
    String id = req.path("id");
    return api.command(id)
        .map(
            c -> {
              Map<String, Object> body = Views.command(c);
              body.put(
                  "output",
                  api.output(id, req.intQuery("outputLimit", 10_000, 100_000)).stream()
                      .map(Views::output)
                      .toList());
              putTruncation(body, id);
              return Response.json(200, body);
            })
        .orElseGet(
            () ->
                api.agent(id)
                    .map(a -> sessionOutput(req, id))
                    .orElseGet(() -> Response.error(404, "COMMAND_NOT_FOUND", "no command " + id)));
  }

  /**
   * Output an agent produced outside any command is filed under its own id (as the TypeScript
   * backend does).
   */
  private Response sessionOutput(Request req, String agentId) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("commandId", agentId);
    body.put("agentId", agentId);
    body.put("status", "SESSION");
    body.put(
        "output",
        api.output(agentId, req.intQuery("outputLimit", 10_000, 100_000)).stream()
            .map(Views::output)
            .toList());
    putTruncation(body, agentId);
    return Response.json(200, body);
  }

  /** outputTruncated, and how much the --max-output-per-command cap dropped (oldest first). */
  private void putTruncation(Map<String, Object> body, String commandId) {
    long[] dropped = api.outputDropped(commandId);
    body.put("outputTruncated", dropped[0] > 0);
    body.put("outputDroppedBytes", dropped[0]);
    body.put("outputDroppedChunks", dropped[1]);
  }

  private Response submit(Request req) throws Exception {
    JsonNode body = Json.readObject(req.body());
    JsonNode content = body.get("content");
    if (content == null || !content.isTextual() || content.textValue().isBlank()) {
      throw new HttpError(400, "INVALID_MESSAGE", "expected {\"content\": \"<command text>\"}");
    }
    Outcome<CommandRecord> o = api.submitCommand(req.path("id"), content.textValue());
    if (!o.isOk()) {
      return refused(o);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("commandId", o.value().commandId());
    out.put("agentId", o.value().agentId());
    out.put("status", o.value().status().name());
    return Response.json(202, out);
  }

  private Response cancel(Request req) throws Exception {
    byte[] raw = req.body();
    String reason = null;
    if (raw.length > 0) {
      JsonNode r = Json.readObject(raw).get("reason");
      reason = r != null && r.isTextual() ? r.textValue() : null;
    }
    Outcome<CommandRecord> o = api.cancelCommand(req.path("id"), reason);
    if (!o.isOk()) {
      return refused(o);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("commandId", o.value().commandId());
    out.put("agentId", o.value().agentId());
    out.put("status", o.value().status().name());
    out.put("cancelRequested", true);
    return Response.json(202, out);
  }

  private Response control(Request req) throws Exception {
    JsonNode action = Json.readObject(req.body()).get("action");
    Outcome<ControlAction> o =
        api.control(
            req.path("id"), action != null && action.isTextual() ? action.textValue() : null);
    if (!o.isOk()) {
      return refused(o);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("agentId", req.path("id"));
    out.put("action", o.value().name());
    out.put("sent", true);
    return Response.json(202, out);
  }

  private static Response refused(Outcome<?> o) {
    return Response.error(o.httpStatus(), o.code().name(), o.message());
  }
}
