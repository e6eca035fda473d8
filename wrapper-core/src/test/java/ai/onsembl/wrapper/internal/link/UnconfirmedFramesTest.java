package ai.onsembl.wrapper.internal.link;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onsembl.protocol.AgentHeartbeat;
import ai.onsembl.protocol.EnumValue;
import ai.onsembl.protocol.Message;
import ai.onsembl.protocol.Payload;
import ai.onsembl.protocol.ProtocolCodec;
import ai.onsembl.protocol.StreamType;
import ai.onsembl.protocol.TerminalOutput;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class UnconfirmedFramesTest {
  private static OutboundQueue.Entry entry(Payload p) {
    Message m = Message.of(p);
    String text = ProtocolCodec.standard().encode(m);
    return new OutboundQueue.Entry(m, text.getBytes(StandardCharsets.UTF_8));
  }

  private static OutboundQueue.Entry output(long seq) {
    return entry(
        new TerminalOutput(
            "c", "a", EnumValue.of(StreamType.STDOUT), "line " + seq + "\n", seq, null));
  }

  @Test
  void framesWrittenBeforeAPingAreConfirmedByItsPongOnly() {
    UnconfirmedFrames u = new UnconfirmedFrames(1 << 20);
    u.written(output(1));
    u.written(output(2));
    u.pingSent();
    u.written(output(3));
    u.pongReceived();
    List<OutboundQueue.Entry> replay = u.takeForReplay();
    assertThat(replay)
        .extracting(e -> ((TerminalOutput) e.message().payload()).sequence())
        .containsExactly(3L);
  }

  @Test
  void aLostConnectionReplaysEverythingUnconfirmedInOrderAndStartsAfresh() {
    UnconfirmedFrames u = new UnconfirmedFrames(1 << 20);
    for (long i = 1; i <= 5; i++) {
      u.written(output(i));
    }
    u.pingSent(); // its pong never comes: the link was blackholed
    assertThat(u.takeForReplay())
        .extracting(e -> ((TerminalOutput) e.message().payload()).sequence())
        .containsExactly(1L, 2L, 3L, 4L, 5L);
    assertThat(u.size()).isZero();
    // a pong on the next connection cannot confirm what it never carried
    u.written(output(6));
    u.pongReceived();
    assertThat(u.size()).isEqualTo(1);
  }

  @Test
  void heartbeatsAreNotReplayed() {
    UnconfirmedFrames u = new UnconfirmedFrames(1 << 20);
    assertThat(u.written(entry(new AgentHeartbeat("a", null)))).isFalse();
    assertThat(u.takeForReplay()).isEmpty();
  }

  @Test
  void theByteCapForgetsTheOldestAndAsksForAPingEarly() {
    UnconfirmedFrames u = new UnconfirmedFrames(64 * 1024);
    boolean pingDue = false;
    for (long i = 1; i <= 2000; i++) {
      assertThat(u.written(output(i))).isTrue();
      pingDue |= u.pingDue();
    }
    assertThat(pingDue).isTrue();
    assertThat(u.forgotten()).isPositive();
    List<OutboundQueue.Entry> replay = u.takeForReplay();
    assertThat(replay.stream().mapToInt(OutboundQueue.Entry::bytes).sum())
        .isLessThanOrEqualTo(64 * 1024);
    assertThat(((TerminalOutput) replay.get(replay.size() - 1).message().payload()).sequence())
        .isEqualTo(2000L);
  }

  @Test
  void requeuedFramesGoAheadOfWhatWasQueuedSince() {
    OutboundQueue q = new OutboundQueue(100, 1 << 20);
    Message later =
        Message.of(new TerminalOutput("c", "a", EnumValue.of(StreamType.STDOUT), "x", 9, null));
    q.offer(later, ProtocolCodec.standard().encode(later).getBytes(StandardCharsets.UTF_8));
    q.requeueFront(List.of(output(1), output(2)));
    assertThat(((TerminalOutput) q.peek().message().payload()).sequence()).isEqualTo(1L);
    q.removeHead(q.peek());
    assertThat(((TerminalOutput) q.peek().message().payload()).sequence()).isEqualTo(2L);
    q.removeHead(q.peek());
    assertThat(q.peek().message().id()).isEqualTo(later.id());
  }
}
