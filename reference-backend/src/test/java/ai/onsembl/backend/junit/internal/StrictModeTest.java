package ai.onsembl.backend.junit.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ai.onsembl.backend.junit.ReferenceBackendTest;
import ai.onsembl.backend.junit.TestBackend;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * failOnRefusedFrames: the check the extension runs after each test. The test refuses a frame on
 * purpose, so it asserts on the check directly and clears nothing: it runs without strict mode.
 */
@Timeout(30)
@ReferenceBackendTest
class StrictModeTest {
  @Test
  void refusedAgentFramesAreListedAndFailAStrictTest(TestBackend backend) throws Exception {
    WebSocket ws =
        HttpClient.newHttpClient()
            .newWebSocketBuilder()
            .buildAsync(backend.agentUri("strict-1"), new WebSocket.Listener() {})
            .get(5, TimeUnit.SECONDS);
    ws.sendText("{\"type\":\"TELEPORT\",\"id\":\"t\",\"timestamp\":1,\"payload\":{}}", true)
        .get(5, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(5)).until(() -> !backend.refusals().isEmpty());
    ws.abort();

    assertThat(backend.refusals())
        .singleElement()
        .asString()
        .contains("connection #0", "UNKNOWN_MESSAGE_TYPE", "TELEPORT");
    TestBackendImpl strict = TestBackendImpl.start(backend.config().withPorts(0, 0), null, true);
    try {
      ReferenceBackendExtension.verifyNoRefusals(strict);
      strict.onRefused(3, "a", ai.onsembl.protocol.ErrorCode.INVALID_MESSAGE, "bad");
      assertThatThrownBy(() -> ReferenceBackendExtension.verifyNoRefusals(strict))
          .isInstanceOf(AssertionError.class)
          .hasMessageContaining("refused 1: connection #3 (agent a): INVALID_MESSAGE bad");
    } finally {
      strict.close();
    }
  }
}
