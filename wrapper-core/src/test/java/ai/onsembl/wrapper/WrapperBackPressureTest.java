package ai.onsembl.wrapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.onsembl.protocol.Message;
import ai.onsembl.protocol.MessageType;
import ai.onsembl.protocol.TerminalOutput;
import ai.onsembl.testing.ScriptedServer;
import ai.onsembl.testing.ScriptedServer.Kind;
import ai.onsembl.wrapper.testing.InProcessWrappers;
import ai.onsembl.wrapper.testing.RecordingHandler;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child that writes flat out to a backend that reads slower: its output is held back in the
 * wrapper's bounded queue and the child waits in its own write (as on a slow terminal) instead of
 * the link counting itself dead at its unread limit, reconnecting and losing output. In-process
 * wrappers against a scripted backend that reads slowly, real child processes.
 */
@Timeout(180)
class WrapperBackPressureTest {
  private static final Duration WAIT = Duration.ofSeconds(120);
  private static final String AGENT = "backpressure-agent";

  @TempDir Path tmp;
  private final InProcessWrappers fixture = new InProcessWrappers("backpressure");
  private final String marker = fixture.marker();

  @AfterEach
  void cleanUp() throws Exception {
    fixture.close();
  }

  /** A backend that pauses 4 ms after every TERMINAL_OUTPUT frame: at most ~16 MB/s of 64 KiB. */
  private ScriptedServer slowServer() throws InterruptedException {
    return fixture.server(
        new ScriptedServer()
            .serverHeartbeat(Duration.ofSeconds(2))
            .readSlowly(Duration.ofMillis(4)));
  }

  private WrapperConfig config(URI server, String script) {
    return WrapperConfig.defaults()
        .withServerUrl(server)
        .withStateDir(tmp.resolve("state"))
        .withWorkingDir(tmp)
        .withAgentKind(AgentKind.CUSTOM)
        .withAgentId(AGENT)
        .withCommand(List.of("sh", "-c", script, marker))
        .withChildGrace(Duration.ofSeconds(5))
        .withFlushTimeout(Duration.ofSeconds(20))
        .withShutdownTimeout(Duration.ofSeconds(40))
        .withReconnect(Duration.ofMillis(50), Duration.ofMillis(300));
  }

  private CompletableFuture<Integer> start(AgentWrapper w) {
    return fixture.start(w);
  }

  /** The agent's own output frames (commandId = agent id), in the order the backend read them. */
  private static List<TerminalOutput> output(ScriptedServer s) {
    List<TerminalOutput> out = new ArrayList<>();
    for (ScriptedServer.Event e : s.events()) {
      Message m = e.message();
      if (e.kind() == Kind.FRAME && m != null && m.type() == MessageType.TERMINAL_OUTPUT) {
        out.add((TerminalOutput) m.payload());
      }
    }
    return out;
  }

  private static long contentChars(ScriptedServer s) {
    long n = 0;
    for (TerminalOutput t : output(s)) {
      n += t.content().length();
    }
    return n;
  }

  private static String seqOutput(int last) {
    StringBuilder sb = new StringBuilder();
    for (int i = 1; i <= last; i++) {
      sb.append(i).append('\n');
    }
    return sb.toString();
  }

  @Test
  void everyLineOfAChildWritingFlatOutReachesABackendThatReadsSlower() throws Exception {
    // 38.9 MB, written by seq in well under a second: without back-pressure the wrapper's socket
    // backlog passed its 8 MiB unread limit, the link dropped itself, reconnected, and output was
    // lost.
    int last = 5_000_000;
    String expected = seqOutput(last);
    ScriptedServer s = slowServer();
    AgentWrapper w =
        AgentWrapper.create(
            config(s.uri(), "seq 1 " + last + "; while :; do sleep 1; done"),
            (out, id, child) -> new RecordingHandler());
    CompletableFuture<Integer> run = start(w);
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> run.isDone() || s.connectionCount() > 1 || contentChars(s) >= expected.length());
    assertThat(run).as("the wrapper still runs").isNotDone();

    List<TerminalOutput> frames = output(s);
    StringBuilder got = new StringBuilder(expected.length());
    for (int i = 0; i < frames.size(); i++) {
      TerminalOutput t = frames.get(i);
      assertThat(t.commandId()).isEqualTo(AGENT);
      assertThat(t.sequence()).as("frame %d's sequence (no gap, no repeat)", i).isEqualTo(i + 1L);
      got.append(t.content());
    }
    assertThat(got.length()).isEqualTo(expected.length());
    assertThat(got.toString()).as("the output, in order and whole").isEqualTo(expected);
    assertThat(s.connectionCount()).as("connections: the link never dropped itself").isEqualTo(1);
    assertThat(s.closeCodes()).as("closes seen by the backend").isEmpty();
  }

  @Test
  void aChildHeldBackByASlowBackendStillSaysItsLastWordsOnSigterm() throws Exception {
    // The child writes without end, so its output reader is held back when SIGTERM comes; the
    // stop must release it at once, or the child's trap (which runs after its current write) and
    // its last line would wait for the backend.
    ScriptedServer s = slowServer();
    AgentWrapper w =
        AgentWrapper.create(
            config(
                s.uri(),
                "trap 'echo last-words-"
                    + marker
                    + "; exit 0' TERM; while :; do seq 1 20000; done"),
            (out, id, child) -> new RecordingHandler());
    CompletableFuture<Integer> run = start(w);
    // Well past the queue's bounds and the socket's buffers: the reader is being held back.
    await().atMost(WAIT).until(() -> contentChars(s) > 24L << 20);
    w.onSignal("TERM");
    assertThat(run.get(60, TimeUnit.SECONDS)).isEqualTo(143);

    List<String> seen = new ArrayList<>();
    for (ScriptedServer.Event e : s.events()) {
      Message m = e.message();
      if (e.kind() != Kind.FRAME || m == null) {
        continue;
      }
      if (m.type() == MessageType.TERMINAL_OUTPUT) {
        String c = ((TerminalOutput) m.payload()).content();
        if (c.contains("last-words-" + marker)) {
          seen.add("last words");
        }
      } else if (m.type() == MessageType.AGENT_DISCONNECT) {
        seen.add("AGENT_DISCONNECT");
      }
    }
    assertThat(seen).containsExactly("last words", "AGENT_DISCONNECT");
    assertThat(s.connectionCount()).as("connections: the link never dropped itself").isEqualTo(1);
  }
}
