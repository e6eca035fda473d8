package ai.onsembl.wrapper.internal.link;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onsembl.protocol.AgentDisconnect;
import ai.onsembl.protocol.EnumValue;
import ai.onsembl.protocol.Message;
import ai.onsembl.protocol.ProtocolCodec;
import ai.onsembl.protocol.StreamType;
import ai.onsembl.protocol.TerminalOutput;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class OutboundQueueTest {
  private static Message output(long seq) {
    return Message.of(
        new TerminalOutput("c", "a", EnumValue.of(StreamType.STDOUT), "line " + seq, seq, null));
  }

  private static Message control(String reason) {
    return Message.of(new AgentDisconnect("a", reason, 1L, 0, true));
  }

  private static boolean offer(OutboundQueue q, Message m) {
    return q.offer(m, ProtocolCodec.standard().encode(m).getBytes(StandardCharsets.UTF_8));
  }

  private static List<Message> drain(OutboundQueue q) {
    List<Message> out = new ArrayList<>();
    OutboundQueue.Entry e;
    while ((e = q.peek()) != null) {
      out.add(e.message());
      q.removeHead(e);
    }
    return out;
  }

  @Test
  void terminalOutputIsDroppedOldestFirstWhenFull() {
    OutboundQueue q = new OutboundQueue(3, 1 << 20);
    for (long i = 1; i <= 5; i++) {
      assertThat(offer(q, output(i))).isTrue();
    }
    assertThat(q.dropped()).isEqualTo(2);
    assertThat(drain(q))
        .extracting(m -> ((TerminalOutput) m.payload()).sequence())
        .containsExactly(3L, 4L, 5L);
  }

  @Test
  void controlFramesAreNeverDroppedAndEvictOutputInstead() {
    OutboundQueue q = new OutboundQueue(3, 1 << 20);
    offer(q, output(1));
    offer(q, control("c1"));
    offer(q, output(2));
    assertThat(offer(q, control("c2"))).isTrue();
    assertThat(offer(q, control("c3"))).isTrue();
    List<Message> left = drain(q);
    assertThat(left)
        .extracting(m -> m.type().name())
        .containsExactly("AGENT_DISCONNECT", "AGENT_DISCONNECT", "AGENT_DISCONNECT");
    assertThat(left)
        .extracting(m -> ((AgentDisconnect) m.payload()).reason())
        .containsExactly("c1", "c2", "c3");
  }

  @Test
  void controlFramesOverfillUpToTwiceTheBoundThenAreRefused() {
    OutboundQueue q = new OutboundQueue(2, 1 << 20);
    for (int i = 0; i < 4; i++) {
      assertThat(offer(q, control("c" + i))).as("control %d", i).isTrue();
    }
    assertThat(offer(q, control("c4"))).isFalse();
    assertThat(offer(q, output(1))).as("output into a queue full of control frames").isFalse();
    assertThat(q.size()).isEqualTo(4);
  }

  @Test
  void byteBoundDropsOutputToo() {
    Message first = output(1);
    int oneFrame = ProtocolCodec.utf8Bytes(ProtocolCodec.standard().encode(first));
    OutboundQueue q = new OutboundQueue(1000, oneFrame * 2L + 5);
    offer(q, first);
    offer(q, output(2));
    offer(q, output(3));
    assertThat(q.bytes()).isLessThanOrEqualTo(oneFrame * 2L + 5);
    assertThat(drain(q))
        .extracting(m -> ((TerminalOutput) m.payload()).sequence())
        .containsExactly(2L, 3L);
  }
}
