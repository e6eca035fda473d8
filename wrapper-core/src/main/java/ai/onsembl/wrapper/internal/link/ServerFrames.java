package ai.onsembl.wrapper.internal.link;

import ai.onsembl.protocol.Ack;
import ai.onsembl.protocol.AgentControl;
import ai.onsembl.protocol.CommandCancel;
import ai.onsembl.protocol.CommandRequest;
import ai.onsembl.protocol.EmergencyStop;
import ai.onsembl.protocol.ErrorCode;
import ai.onsembl.protocol.ErrorMessage;
import ai.onsembl.protocol.Message;
import ai.onsembl.protocol.Payload;
import ai.onsembl.protocol.ServerHeartbeat;
import ai.onsembl.protocol.TokenRefresh;
import ai.onsembl.wrapper.command.CommandHandler;
import ai.onsembl.wrapper.internal.Log;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Routes what the server sends once it has been decoded: commands to the {@link CommandHandler},
 * STOP and RESTART to the wrapper, and connection matters (ACK, SERVER_HEARTBEAT, ERRORs about
 * authentication or about AGENT_HEARTBEAT, TOKEN_REFRESH) back to the link. Runs on the link's
 * thread.
 */
final class ServerFrames {
  /** What the link does about connection matters. */
  interface Connection {
    void ack(Ack ack);

    void serverInterval(long millis);

    void authRefused(String message);

    /**
     * The server does not know AGENT_HEARTBEAT (the TypeScript backend): stop them on this
     * connection.
     */
    void heartbeatUnknown();

    /**
     * TOKEN_REFRESH: the new access token, its lifetime in seconds (or null), a new refresh token
     * (or null).
     */
    void tokenRefreshed(String token, Long expiresIn, String refreshToken);
  }

  private final Log log;
  private final LinkListener listener;
  private final Supplier<CommandHandler> handler;
  private final Predicate<String> isHeartbeatId;
  private final Connection connection;

  ServerFrames(
      Log log,
      LinkListener listener,
      Supplier<CommandHandler> handler,
      Predicate<String> isHeartbeatId,
      Connection connection) {
    this.log = log;
    this.listener = listener;
    this.handler = handler;
    this.isHeartbeatId = isHeartbeatId;
    this.connection = connection;
  }

  void handle(Message m) {
    Payload p = m.payload();
    switch (m.type()) {
      case ACK -> connection.ack((Ack) p);
      case ERROR -> error((ErrorMessage) p);
      case SERVER_HEARTBEAT -> {
        Long next = ((ServerHeartbeat) p).nextPingExpected();
        if (next != null && next > 0) {
          connection.serverInterval(Math.max(100, next));
        }
      }
      case COMMAND_REQUEST -> withHandler(m, h -> h.onCommandRequest((CommandRequest) p));
      case COMMAND_CANCEL -> withHandler(m, h -> h.onCommandCancel((CommandCancel) p));
      case EMERGENCY_STOP -> withHandler(m, h -> h.onEmergencyStop((EmergencyStop) p));
      case AGENT_CONTROL -> control(m, (AgentControl) p);
      case TOKEN_REFRESH -> {
        TokenRefresh r = (TokenRefresh) p;
        String t = r.accessToken();
        if (t != null && !t.isBlank()) {
          connection.tokenRefreshed(t, r.expiresIn(), r.refreshToken());
        }
      }
      default -> log.debug("ignoring " + m.type() + " " + m.id());
    }
  }

  private void withHandler(Message m, Consumer<CommandHandler> call) {
    CommandHandler h = handler.get();
    if (h == null) {
      log.warn("no command handler; ignoring " + m.type() + " " + m.id());
      return;
    }
    call.accept(h);
  }

  private void control(Message m, AgentControl c) {
    if (c.action() == null) {
      log.warn("AGENT_CONTROL without an action; ignored");
      return;
    }
    switch (c.action().value()) {
      case PAUSE -> withHandler(m, CommandHandler::pause);
      case RESUME -> withHandler(m, CommandHandler::resume);
      case STOP, RESTART -> listener.control(c);
      default -> log.warn("AGENT_CONTROL " + c.action().raw() + " is not known; ignored");
    }
  }

  private void error(ErrorMessage e) {
    ErrorCode code = e.code() == null ? ErrorCode.UNKNOWN : e.code().value();
    String text = e.message() == null ? "" : e.message();
    if (code == ErrorCode.UNAUTHORIZED || code == ErrorCode.AUTH_FAILED) {
      connection.authRefused(e.code().raw() + " " + text);
      return;
    }
    boolean unknownType =
        code == ErrorCode.UNKNOWN_MESSAGE_TYPE || code == ErrorCode.INVALID_MESSAGE_TYPE;
    if (unknownType && aboutHeartbeat(e)) {
      connection.heartbeatUnknown();
      return;
    }
    if (unknownType && text.contains("AGENT_DISCONNECT")) {
      log.debug("backend does not know AGENT_DISCONNECT: " + text);
      return;
    }
    log.warn("backend error " + (e.code() == null ? "?" : e.code().raw()) + ": " + text);
  }

  private boolean aboutHeartbeat(ErrorMessage e) {
    if (e.messageId() != null && isHeartbeatId.test(e.messageId())) {
      return true;
    }
    String text = e.message() == null ? "" : e.message();
    return text.contains("AGENT_HEARTBEAT")
        || (e.details() != null && String.valueOf(e.details()).contains("AGENT_HEARTBEAT"));
  }
}
