package ai.onsembl.backend.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.onsembl.backend.BackendConfig;
import ai.onsembl.protocol.Message;
import ai.onsembl.testing.ProtocolClient;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An Error on one of Java-WebSocket's threads stops the backend and says so; no process without its
 * port.
 */
@Timeout(60)
class FatalErrorTest {
  @Test
  void outOfMemoryOnAServerThreadCompletesFatalErrorAndClosesTheBackend() throws Exception {
    BackendHooks hooks =
        new BackendHooks() {
          @Override
          public void onAgentFrame(
              int connectionIndex, long sequence, String agentId, String text, Message decoded) {
            if (text.contains("doomed")) {
              throw new OutOfMemoryError("injected by FatalErrorTest");
            }
          }
        };
    BackendConfig config = BackendConfig.forTests();
    try (BackendCore core = BackendCore.start(config, hooks)) {
      int port = core.wsPort();
      ProtocolClient agent =
          ProtocolClient.open(
              URI.create("ws://127.0.0.1:" + port + "/ws/agent?token=" + config.agentToken()));
      try {
        agent.send(ProtocolClient.agentConnect("doomed"));
        Throwable error = core.fatalError().get(20, TimeUnit.SECONDS);
        assertThat(error).isInstanceOf(OutOfMemoryError.class).hasMessageContaining("injected");
        await()
            .atMost(Duration.ofSeconds(20))
            .untilAsserted(
                () -> {
                  try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                    // Linux may connect a socket to itself when the port is free and is picked as
                    // the source port.
                    if (s.getLocalPort() != port) {
                      throw new AssertionError(
                          "port "
                              + port
                              + " still accepts connections (from "
                              + s.getLocalPort()
                              + ")");
                    }
                  } catch (java.net.ConnectException expected) {
                    // the backend closed itself
                  }
                });
      } finally {
        agent.close();
      }
    }
  }
}
