package ai.onsembl.backend;

import ai.onsembl.protocol.CommandComplete;
import ai.onsembl.protocol.CommandRequest;
import ai.onsembl.protocol.CommandStatus;
import ai.onsembl.protocol.EnumValue;
import ai.onsembl.protocol.MessageType;
import ai.onsembl.protocol.StreamType;
import ai.onsembl.protocol.TerminalOutput;
import ai.onsembl.testing.ProtocolClient;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * The agent under test in the README's example: a minimal agent that connects, answers PINGs, and
 * runs each command by echoing its text as output, then COMMAND_COMPLETE. Stands for "your agent".
 */
final class EchoAgent implements AutoCloseable {
  private final ProtocolClient socket;

  private EchoAgent(ProtocolClient socket) {
    this.socket = socket;
  }

  /**
   * Connects to {@code agentUri} (its {@code agentId} query parameter names the agent) and says
   * hello.
   */
  static EchoAgent connect(URI agentUri) throws InterruptedException {
    String agentId = agentIdOf(agentUri);
    ProtocolClient socket = new ProtocolClient(agentUri);
    socket.answerPings = true;
    socket.onMessage(
        m -> {
          if (m.type() == MessageType.COMMAND_REQUEST) {
            CommandRequest r = m.payload(CommandRequest.class);
            socket.send(
                new TerminalOutput(
                    r.commandId(),
                    agentId,
                    EnumValue.of(StreamType.STDOUT),
                    r.text() + "\n",
                    1,
                    null));
            socket.send(
                new CommandComplete(
                    r.commandId(),
                    agentId,
                    EnumValue.of(CommandStatus.COMPLETED),
                    null,
                    1L,
                    0L,
                    0,
                    null));
          }
        });
    socket.connectOrFail();
    socket.send(ProtocolClient.agentConnect(agentId));
    return new EchoAgent(socket);
  }

  private static String agentIdOf(URI uri) {
    for (String pair : String.valueOf(uri.getRawQuery()).split("&")) {
      if (pair.startsWith("agentId=")) {
        return URLDecoder.decode(pair.substring("agentId=".length()), StandardCharsets.UTF_8);
      }
    }
    throw new IllegalArgumentException("expected an agentId query parameter in " + uri);
  }

  @Override
  public void close() {
    socket.close();
  }
}
