package ai.onsembl.e2e.faults;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onsembl.e2e.LeakChecks;
import ai.onsembl.e2e.RunningProcess;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.java_websocket.WebSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 7 item 4, wrapper side: a real {@code onsembl-agent start} process against a hostile backend that
 * sends garbage, binary frames, unknown types, a huge frame and a COMMAND_REQUEST with a 10 MB prompt. The
 * wrapper survives each with a clear log line, keeps (or re-establishes) its link, and stops cleanly.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@ExtendWith({LeakChecks.class, ThreadLeakCheck.class, TempFilesCheck.class})
class WrapperHostileServerIT {
  private static final Duration T = Duration.ofSeconds(20);
  @TempDir Path home;

  /** Starts a wrapper against a fresh hostile server, runs {@code attack} once it is online, checks survival. */
  private String survive(String name, Consumer<HostileServer> attack) throws Exception {
    try (HostileServer server = new HostileServer().startAndWait();
        RunningProcess w = Wrappers.start(home, server.url(), name, "--agent", "mock", "--mode", "exec",
            "--log-level", "debug")) {
      server.await("AGENT_CONNECT", n -> true, T);
      server.assertAnswersPing(1, T);

      attack.accept(server);

      try {
        server.assertAnswersPing(2, T); // still (or again) online and answering
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError("the wrapper no longer answers PING after the attack (connections "
            + server.connections() + ", close codes " + server.closeCodes() + ", alive " + w.isAlive() + ")\n"
            + w.transcript(), e);
      }
      assertThat(w.isAlive()).as("wrapper alive after the attack\n" + w.transcript()).isTrue();
      w.signal("TERM");
      assertThat(w.awaitExit(T)).as(w.transcript()).isEqualTo(143);
      assertThat(Procs.running(w.survivingDescendants())).isEmpty();
      assertThat(w.transcript()).as("no stack trace of a crash").doesNotContain("Exception in thread");
      System.out.println("--- " + name + " (connections " + server.connections() + ", close codes "
          + server.closeCodes() + ")\n" + w.transcript());
      return w.transcript();
    }
  }

  @Test
  void garbageAndBinaryFramesAreLoggedAndTheLinkLives() throws Exception {
    String log = survive("hostile-garbage", s -> {
      WebSocket c = s.current();
      for (String g : new String[] {"garbage", "{", "[]", "{\"type\":1}", "null", "{\"type\":\"ACK\"}",
          "{\"type\":\"COMMAND_REQUEST\",\"id\":\"x\",\"timestamp\":1,\"payload\":{\"commandId\":5}}"}) {
        c.send(g);
      }
      c.send(ByteBuffer.wrap(new byte[] {0, 1, 2, (byte) 0xff}));
    });
    // one warning at the default level, the rest at debug: visible, but a flood cannot flood the log
    assertThat(log.lines().filter(l -> l.contains(" WARN ") && l.contains("bad frame from the backend")).count())
        .as(log).isEqualTo(1);
  }

  @Test
  void unknownTypeIsAnsweredWithErrorUnknownMessageTypeNotADroppedConnection() throws Exception {
    survive("hostile-unknown", s -> {
      int before = s.connections();
      s.current().send(HostileServer.frame("FROM_THE_FUTURE", "{\"x\":1}"));
      JsonNode err = s.await("ERROR", n -> "UNKNOWN_MESSAGE_TYPE".equals(n.path("payload").path("code").asText()), T);
      assertThat(err.toString()).contains("FROM_THE_FUTURE");
      assertThat(s.connections()).as("same connection").isEqualTo(before);
    });
  }

  @Test
  void frameOfTwentyMegabytesIsRefusedAndTheWrapperRecovers() throws Exception {
    String log = survive("hostile-huge", s -> s.current().send("{\"type\":\"PING\",\"id\":\"big\",\"timestamp\":1,"
        + "\"payload\":{\"timestamp\":3,\"pad\":\"" + "x".repeat(20 * 1024 * 1024) + "\"}}"));
    // refused by its header (PROTOCOL.md: at most 1 MiB; close 1009), then a reconnect
    assertThat(log).contains("WARN", "lost (close 1009", "reconnected to");
  }

  @Test
  void commandRequestWithATenMegabytePromptIsRefusedWithoutRunningAnything() throws Exception {
    String log = survive("hostile-prompt", s -> s.current().send(HostileServer.frame("COMMAND_REQUEST",
        "{\"commandId\":\"c-huge\",\"content\":\"" + "p".repeat(10 * 1024 * 1024) + "\",\"type\":\"NATURAL\","
            + "\"priority\":1,\"executionConstraints\":{\"timeLimitMs\":60000}}")));
    assertThat(log).contains("WARN", "lost (close 1009", "reconnected to").doesNotContain("c-huge");
  }
}
