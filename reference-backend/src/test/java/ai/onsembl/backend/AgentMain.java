package ai.onsembl.backend;

import ai.onsembl.protocol.MessageType;
import ai.onsembl.testing.ProtocolClient;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * An agent in its own JVM for signal tests: {@code AgentMain <agent ws url> <agentId>}. Answers
 * every PING with a PONG and nothing else (as the TypeScript wrapper does); prints "connected" once
 * acknowledged.
 */
public final class AgentMain {
  private AgentMain() {}

  public static void main(String[] args) throws Exception {
    ProtocolClient client = new ProtocolClient(URI.create(args[0]));
    client.answerPings = true;
    client.connectOrFail();
    client.send(ProtocolClient.agentConnect(args[1]));
    client.expect(MessageType.ACK, Duration.ofSeconds(10));
    System.out.println("connected");
    System.out.flush();
    new CountDownLatch(1).await();
  }
}
