package ai.onsembl.e2e.faults;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onsembl.e2e.LeakChecks;
import ai.onsembl.protocol.ErrorCode;
import ai.onsembl.protocol.ErrorMessage;
import ai.onsembl.protocol.Message;
import ai.onsembl.protocol.MessageType;
import ai.onsembl.protocol.Ping;
import ai.onsembl.protocol.Pong;
import ai.onsembl.testing.ScriptedServer;
import ai.onsembl.wrapper.testing.RunningProcess;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Wrapper side: a real {@code onsembl-agent start} process against a hostile backend (the shared
 * {@link ScriptedServer}, pushing anything at it) that sends garbage, binary frames, unknown types,
 * a huge frame and a COMMAND_REQUEST with a 10 MB prompt. The wrapper survives each with a clear
 * log line, keeps (or re-establishes) its link, and stops cleanly.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@ExtendWith({LeakChecks.class, ThreadLeakCheck.class, TempFilesCheck.class})
class WrapperHostileServerIT {
  private static final Duration T = Duration.ofSeconds(20);
  @TempDir Path home;

  /**
   * Starts a wrapper against a fresh hostile server, runs {@code attack} once it is online, checks
   * survival.
   */
  private String survive(String name, Consumer<ScriptedServer> attack) throws Exception {
    try (ScriptedServer server = new ScriptedServer().start();
        RunningProcess w =
            Wrappers.start(
                home,
                server.uri().toString(),
                name,
                "--agent",
                "mock",
                "--mode",
                "exec",
                "--log-level",
                "debug")) {
      server.awaitFrame(MessageType.AGENT_CONNECT, T);
      assertAnswersPing(server, 1);

      attack.accept(server);

      try {
        assertAnswersPing(server, 2); // still (or again) online and answering
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError(
            "the wrapper no longer answers PING after the attack (connections "
                + server.connectionCount()
                + ", close codes "
                + server.closeCodes()
                + ", alive "
                + w.isAlive()
                + ")\n"
                + w.transcript(),
            e);
      }
      assertThat(w.isAlive()).as("wrapper alive after the attack\n" + w.transcript()).isTrue();
      w.signal("TERM");
      assertThat(w.awaitExit(T)).as(w.transcript()).isEqualTo(143);
      assertThat(RunningProcess.running(w.survivingDescendants())).isEmpty();
      assertThat(w.transcript())
          .as("no stack trace of a crash")
          .doesNotContain("Exception in thread");
      System.out.println(
          "--- "
              + name
              + " (connections "
              + server.connectionCount()
              + ", close codes "
              + server.closeCodes()
              + ")\n"
              + w.transcript());
      return w.transcript();
    }
  }

  /**
   * The wrapper is online on an open connection: a PING there is answered with a PONG echoing its
   * timestamp.
   */
  private static void assertAnswersPing(ScriptedServer server, long marker) {
    Awaitility.await("the wrapper answers PING " + marker)
        .atMost(T)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              try {
                server.send(new Ping(marker));
              } catch (RuntimeException e) {
                // no open connection right now (the wrapper is reconnecting): try again
              }
              return server.frames(MessageType.PONG).stream()
                  .anyMatch(m -> Long.valueOf(marker).equals(m.payload(Pong.class).timestamp()));
            });
  }

  /** A frame as a hostile backend would write it by hand. */
  private static String frame(String type, String payloadJson) {
    return "{\"type\":\""
        + type
        + "\",\"id\":\"h-"
        + System.nanoTime()
        + "\",\"timestamp\":"
        + System.currentTimeMillis()
        + ",\"payload\":"
        + payloadJson
        + "}";
  }

  @Test
  void garbageAndBinaryFramesAreLoggedAndTheLinkLives() throws Exception {
    String log =
        survive(
            "hostile-garbage",
            s -> {
              for (String g :
                  new String[] {
                    "garbage",
                    "{",
                    "[]",
                    "{\"type\":1}",
                    "null",
                    "{\"type\":\"ACK\"}",
                    "{\"type\":\"COMMAND_REQUEST\",\"id\":\"x\",\"timestamp\":1,\"payload\":{\"commandId\":5}}"
                  }) {
                s.sendText(g);
              }
              s.sendBinary(ByteBuffer.wrap(new byte[] {0, 1, 2, (byte) 0xff}));
            });
    // one warning at the default level, the rest at debug: visible, but a flood cannot flood the
    // log
    assertThat(
            log.lines()
                .filter(l -> l.contains(" WARN ") && l.contains("bad frame from the backend"))
                .count())
        .as(log)
        .isEqualTo(1);
  }

  @Test
  void unknownTypeIsAnsweredWithErrorUnknownMessageTypeNotADroppedConnection() throws Exception {
    survive(
        "hostile-unknown",
        s -> {
          int before = s.connectionCount();
          s.sendText(frame("FROM_THE_FUTURE", "{\"x\":1}"));
          ErrorMessage[] err = new ErrorMessage[1];
          Awaitility.await("the wrapper answers ERROR UNKNOWN_MESSAGE_TYPE")
              .atMost(T)
              .until(
                  () -> {
                    for (Message m : s.frames(MessageType.ERROR)) {
                      ErrorMessage e = m.payload(ErrorMessage.class);
                      if (e.code().is(ErrorCode.UNKNOWN_MESSAGE_TYPE)) {
                        err[0] = e;
                        return true;
                      }
                    }
                    return false;
                  });
          assertThat(err[0].message()).contains("FROM_THE_FUTURE");
          assertThat(s.connectionCount()).as("same connection").isEqualTo(before);
        });
  }

  @Test
  void frameOfTwentyMegabytesIsRefusedAndTheWrapperRecovers() throws Exception {
    String log =
        survive(
            "hostile-huge",
            s ->
                s.sendText(
                    "{\"type\":\"PING\",\"id\":\"big\",\"timestamp\":1,"
                        + "\"payload\":{\"timestamp\":3,\"pad\":\""
                        + "x".repeat(20 * 1024 * 1024)
                        + "\"}}"));
    // refused by its header (docs/PROTOCOL.md: at most 1 MiB; close 1009), then a reconnect
    assertThat(log).contains("WARN", "lost (close 1009", "reconnected to");
  }

  @Test
  void commandRequestWithATenMegabytePromptIsRefusedWithoutRunningAnything() throws Exception {
    String log =
        survive(
            "hostile-prompt",
            s ->
                s.sendText(
                    frame(
                        "COMMAND_REQUEST",
                        "{\"commandId\":\"c-huge\",\"content\":\""
                            + "p".repeat(10 * 1024 * 1024)
                            + "\",\"type\":\"NATURAL\","
                            + "\"priority\":1,\"executionConstraints\":{\"timeLimitMs\":60000}}")));
    assertThat(log).contains("WARN", "lost (close 1009", "reconnected to").doesNotContain("c-huge");
  }
}
