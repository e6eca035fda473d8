package ai.onsembl.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onsembl.backend.junit.CommandOptions;
import ai.onsembl.backend.junit.RecordedFrame;
import ai.onsembl.backend.junit.TestBackend;
import ai.onsembl.protocol.AgentControl;
import ai.onsembl.protocol.AgentStatus;
import ai.onsembl.protocol.CommandCancel;
import ai.onsembl.protocol.CommandRequest;
import ai.onsembl.protocol.CommandType;
import ai.onsembl.protocol.ControlAction;
import ai.onsembl.protocol.MessageType;
import ai.onsembl.protocol.Ping;
import ai.onsembl.testing.ProtocolClient;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The fixture without JUnit's extension: {@code TestBackend.start()} on free ports with generated
 * tokens, commands, cancels and controls reaching a real agent socket, and a blocking takeFrame().
 */
@Timeout(60)
class TestBackendWithoutJUnitTest {
  private static final Duration WAIT = Duration.ofSeconds(5);

  @Test
  void startedBackendSendsCommandsCancelsAndControlsToAConnectedAgent() throws Exception {
    try (TestBackend backend = TestBackend.start()) {
      assertThat(backend.wsPort()).isPositive();
      assertThat(backend.agentToken()).hasSizeGreaterThanOrEqualTo(32);
      assertThat(backend.dashboardToken())
          .hasSizeGreaterThanOrEqualTo(32)
          .isNotEqualTo(backend.agentToken());
      assertThat(backend.databaseFile()).isNull();
      ProtocolClient agent = ProtocolClient.agent(backend.agentUri("a1"), "a1");
      try {
        assertThat(backend.takeFrame().type()).isEqualTo(MessageType.AGENT_CONNECT);
        backend.awaitAgentStatus("a1", AgentStatus.ONLINE, WAIT);

        String id = backend.sendCommand("a1", "echo hi");
        CommandRequest plain =
            agent.expect(MessageType.COMMAND_REQUEST, WAIT).payload(CommandRequest.class);
        assertThat(plain.commandId()).isEqualTo(id);
        assertThat(plain.text()).isEqualTo("echo hi");
        assertThat(plain.commandType().value()).isEqualTo(CommandType.NATURAL);
        assertThat(plain.executionConstraints()).isNull();

        String limited =
            backend.sendCommand(
                "a1",
                "review this",
                CommandOptions.defaults()
                    .withMode(CommandType.REVIEW)
                    .withTimeLimit(Duration.ofSeconds(5))
                    .withPriority(3));
        CommandRequest withOptions =
            agent.expect(MessageType.COMMAND_REQUEST, WAIT).payload(CommandRequest.class);
        assertThat(withOptions.commandId()).isEqualTo(limited).isNotEqualTo(id);
        assertThat(withOptions.commandType().value()).isEqualTo(CommandType.REVIEW);
        assertThat(withOptions.executionConstraints().timeLimitMs()).isEqualTo(5000L);
        assertThat(withOptions.priority()).isEqualTo(3);

        backend.cancel(limited);
        assertThat(
                agent
                    .expect(MessageType.COMMAND_CANCEL, WAIT)
                    .payload(CommandCancel.class)
                    .commandId())
            .isEqualTo(limited);

        backend.control("a1", "PAUSE");
        assertThat(
                agent
                    .expect(MessageType.AGENT_CONTROL, WAIT)
                    .payload(AgentControl.class)
                    .action()
                    .value())
            .isEqualTo(ControlAction.PAUSE);

        agent.send(new Ping(42L));
        RecordedFrame ping = backend.takeFrame();
        assertThat(ping.type()).isEqualTo(MessageType.PING);
        assertThat(ping.agentId()).isEqualTo("a1");
      } finally {
        agent.close();
      }
    }
  }

  @Test
  void refusedRequestsThrowNamingTheReason() {
    try (TestBackend backend = TestBackend.start()) {
      assertThatThrownBy(() -> backend.sendCommand("nobody", "echo"))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("AGENT_NOT_FOUND no agent nobody");
      assertThatThrownBy(() -> backend.cancel("no-such-command"))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("COMMAND_NOT_FOUND");
      assertThatThrownBy(() -> backend.control("nobody", "JUMP"))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("action must be STOP, RESTART, PAUSE or RESUME");
      assertThatThrownBy(() -> CommandOptions.defaults().withTimeLimit(Duration.ZERO))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("timeLimit must be positive");
    }
  }

  @Test
  void takeFrameBlocksUntilAFrameComesAndCloseIsIdempotent() throws Exception {
    TestBackend backend = TestBackend.start();
    Thread taker =
        new Thread(
            () -> {
              try {
                backend.takeFrame();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    taker.start();
    taker.join(300);
    assertThat(taker.isAlive()).as("takeFrame() waits while no agent sent anything").isTrue();
    taker.interrupt();
    taker.join(5000);
    assertThat(taker.isAlive()).isFalse();
    backend.close();
    backend.close();
    assertThatThrownBy(backend::wsPort)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void referenceBackendOnDefaultsWithoutTokensGeneratesThem() throws Exception {
    // defaults() apart from the ports: 3001/3002 may be taken on a shared machine
    try (ReferenceBackend backend =
        ReferenceBackend.start(BackendConfig.defaults().withPorts(0, 0))) {
      String agentToken = backend.config().agentToken();
      assertThat(agentToken).isNotBlank();
      assertThat(backend.config().dashboardToken()).isNotBlank().isNotEqualTo(agentToken);
      ProtocolClient agent =
          ProtocolClient.agent(
              URI.create(backend.wsUrl() + "/ws/agent?token=" + agentToken), "gen");
      agent.close();
    }
    assertThat(
            BackendConfig.defaults()
                .withJwtSecret("s".repeat(32))
                .withGeneratedTokens()
                .agentToken())
        .isNull();
  }
}
