package ai.onsembl.backend.internal;

import ai.onsembl.backend.AgentState;
import ai.onsembl.backend.internal.AgentStore.HistoryEntry;
import ai.onsembl.backend.internal.CommandStore.CommandRecord;
import ai.onsembl.backend.internal.CommandStore.OutputChunk;
import ai.onsembl.protocol.CommandType;
import ai.onsembl.protocol.ControlAction;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What the HTTP handlers may do with the backend: reads from the store (with live last-seen times)
 * and requests that run on the worker, exactly like the same requests from a dashboard socket.
 */
public final class BackendApi {
  private static final Duration WAIT = Duration.ofSeconds(5);
  private final BackendCore core;

  BackendApi(BackendCore core) {
    this.core = core;
  }

  /** The device login (RFC 8628) the {@code /api/auth/...} routes serve. */
  public DeviceAuth deviceAuth() {
    return core.deviceAuth;
  }

  /** Who a dashboard credential belongs to: a JWT's subject, else {@code dashboard}. */
  public String dashboardSubject(String token) {
    Authenticator.Result r =
        token == null ? null : core.auth.check(Authenticator.Role.DASHBOARD, token);
    return r == null || !r.accepted() || "dashboard-token".equals(r.subject())
        ? "dashboard"
        : r.subject();
  }

  public List<AgentState> agents() {
    return core.allAgents();
  }

  public Optional<AgentState> agent(String agentId) {
    return core.agent(agentId);
  }

  public List<HistoryEntry> history(String agentId, int limit) {
    return core.agents.history(agentId, limit);
  }

  public List<CommandRecord> commands(String agentId, int limit) {
    return core.commands.list(agentId, limit);
  }

  public Optional<CommandRecord> command(String commandId) {
    return core.commands.find(commandId);
  }

  /** Output of a command dropped by the per-command cap: {bytes, chunks}. */
  public long[] outputDropped(String commandId) {
    return core.commands.dropped(commandId);
  }

  public List<OutputChunk> output(String commandId, int limit) {
    return core.commands.output(commandId, limit);
  }

  public Outcome<CommandRecord> submitCommand(String agentId, String content) {
    return core.onWorkerAndWait(
        () -> core.commandService.request(agentId, null, content, "rest"), WAIT);
  }

  /** As {@link #submitCommand(String, String)} with the request's type, priority and time limit. */
  public Outcome<CommandRecord> submitCommand(
      String agentId,
      String content,
      CommandType type,
      int priority,
      Long timeLimitMs,
      String source) {
    return core.onWorkerAndWait(
        () ->
            core.commandService.request(
                agentId, null, content, source, type, priority, timeLimitMs),
        WAIT);
  }

  public Outcome<CommandRecord> cancelCommand(String commandId, String reason) {
    return core.onWorkerAndWait(() -> core.commandService.cancel(commandId, reason), WAIT);
  }

  public Outcome<ControlAction> control(String agentId, String action) {
    return core.onWorkerAndWait(() -> core.commandService.control(agentId, action, null), WAIT);
  }

  /** Whether {@code token} is a dashboard credential (static token or dashboard JWT). */
  public boolean isDashboardToken(String token) {
    return core.auth.check(Authenticator.Role.DASHBOARD, token).accepted();
  }

  public BackendMetrics metrics() {
    return core.metrics;
  }

  /** Each part of the backend ("webSocket", "http", "store") with "up" or what is wrong with it. */
  public java.util.Map<String, String> health() {
    return core.health();
  }

  public int onlineCount() {
    return core.registry.size();
  }
}
