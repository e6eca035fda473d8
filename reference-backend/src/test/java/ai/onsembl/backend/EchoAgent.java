package ai.onsembl.backend;

import ai.onsembl.protocol.CommandComplete;
import ai.onsembl.protocol.CommandRequest;
import ai.onsembl.protocol.CommandStatus;
import ai.onsembl.protocol.EnumValue;
import ai.onsembl.protocol.Message;
import ai.onsembl.protocol.MessageType;
import ai.onsembl.protocol.Ping;
import ai.onsembl.protocol.Pong;
import ai.onsembl.protocol.ProtocolCodec;
import ai.onsembl.protocol.ProtocolException;
import ai.onsembl.protocol.StreamType;
import ai.onsembl.protocol.TerminalOutput;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import org.java_websocket.client.WebSocketClient;
import org.java_websocket.handshake.ServerHandshake;

/**
 * The agent under test in the README's example: a minimal agent that connects, answers PINGs, and runs
 * each command by echoing its text as output, then COMMAND_COMPLETE. Stands for "your agent".
 */
final class EchoAgent extends WebSocketClient implements AutoCloseable {
  private final String agentId;

  private EchoAgent(URI uri, String agentId) {
    super(uri);
    this.agentId = agentId;
  }

  /** Connects to {@code agentUri} (its {@code agentId} query parameter names the agent) and says hello. */
  static EchoAgent connect(URI agentUri) throws InterruptedException {
    String id = WsServerQuery.agentId(agentUri);
    EchoAgent agent = new EchoAgent(agentUri, id);
    if (!agent.connectBlocking(5, TimeUnit.SECONDS)) {
      agent.close();
      throw new IllegalStateException("expected to connect to " + agentUri + " within 5 s but did not");
    }
    agent.send(ProtocolCodec.standard().encode(WsClient.connect(id)));
    return agent;
  }

  @Override
  public void onMessage(String text) {
    Message m;
    try {
      m = ProtocolCodec.standard().decode(text);
    } catch (ProtocolException e) {
      return;
    }
    if (m.type() == MessageType.PING) {
      reply(new Pong(m.payload(Ping.class).timestamp()));
    } else if (m.type() == MessageType.COMMAND_REQUEST) {
      CommandRequest r = m.payload(CommandRequest.class);
      reply(new TerminalOutput(r.commandId(), agentId, EnumValue.of(StreamType.STDOUT), r.text() + "\n", 1, null));
      reply(new CommandComplete(r.commandId(), agentId, EnumValue.of(CommandStatus.COMPLETED), null, 1L, 0L, 0,
          null));
    }
  }

  private void reply(ai.onsembl.protocol.Payload p) {
    send(ProtocolCodec.standard().encode(Message.of(p)));
  }

  @Override
  public void onOpen(ServerHandshake handshake) {}

  @Override
  public void onClose(int code, String reason, boolean remote) {}

  @Override
  public void onError(Exception ex) {}

  /** The agentId query parameter of an agent URI. */
  private static final class WsServerQuery {
    static String agentId(URI uri) {
      for (String pair : uri.getRawQuery().split("&")) {
        if (pair.startsWith("agentId=")) {
          return java.net.URLDecoder.decode(pair.substring(8), java.nio.charset.StandardCharsets.UTF_8);
        }
      }
      throw new IllegalArgumentException("expected an agentId query parameter in " + uri);
    }
  }
}
