package ai.onsembl.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.onsembl.backend.junit.RecordedFrame;
import ai.onsembl.backend.junit.ReferenceBackendTest;
import ai.onsembl.backend.junit.TestBackend;
import ai.onsembl.protocol.AgentStatus;
import ai.onsembl.protocol.CommandComplete;
import ai.onsembl.protocol.MessageType;
import java.time.Duration;
import org.junit.jupiter.api.Test;

// The README's example, verbatim from here to the end (ReadmeExampleTest keeps them equal).
@ReferenceBackendTest
class EchoAgentTest {
  @Test
  void runsACommandFromTheBackend(TestBackend backend) throws Exception {
    try (EchoAgent agent = EchoAgent.connect(backend.agentUri("echo-1"))) { // your agent
      backend.awaitAgentStatus("echo-1", AgentStatus.ONLINE, Duration.ofSeconds(5));
      String commandId = backend.sendCommand("echo-1", "say hi");
      RecordedFrame done = backend.takeFrame(MessageType.COMMAND_COMPLETE, Duration.ofSeconds(5));
      assertEquals(commandId, done.message().payload(CommandComplete.class).commandId());
    }
  }
}
