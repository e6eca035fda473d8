package ai.onsembl.wrapper.internal.terminal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class KeyboardPumpTest {
  private final ByteArrayOutputStream agent = new ByteArrayOutputStream();
  private final AtomicInteger stops = new AtomicInteger();

  private void pump(int... keys) {
    byte[] bytes = new byte[keys.length];
    for (int i = 0; i < keys.length; i++) {
      bytes[i] = (byte) keys[i];
    }
    new KeyboardPump(
            new ByteArrayInputStream(bytes),
            (b, off, len) -> {
              agent.write(b, off, len);
              return true;
            },
            stops::incrementAndGet)
        .run();
  }

  private static byte[] bytes(int... v) {
    byte[] b = new byte[v.length];
    for (int i = 0; i < v.length; i++) {
      b[i] = (byte) v[i];
    }
    return b;
  }

  @Test
  void ctrlCAndEveryOtherByteReachTheAgentUnchanged() {
    pump('l', 's', 3, 13, 0x1b, '[', 'A', 4);
    assertThat(agent.toByteArray()).containsExactly(bytes('l', 's', 3, 13, 0x1b, '[', 'A', 4));
    assertThat(stops).hasValue(0);
  }

  @Test
  void ctrlBracketThenQStopsTheWrapperAndWhatCameBeforeIsSent() {
    pump('x', 0x1d, 'q', 'y');
    assertThat(agent.toByteArray()).containsExactly(bytes('x'));
    assertThat(stops).hasValue(1);
  }

  @Test
  void ctrlBracketTwiceSendsOneAndFollowedByAnotherKeySendsBoth() {
    pump(0x1d, 0x1d, 0x1d, 'a');
    assertThat(agent.toByteArray()).containsExactly(bytes(0x1d, 0x1d, 'a'));
    assertThat(stops).hasValue(0);
  }
}
