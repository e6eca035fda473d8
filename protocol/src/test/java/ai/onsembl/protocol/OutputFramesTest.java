package ai.onsembl.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class OutputFramesTest {
  private static final StreamingCodec CODEC = StreamingCodec.standard();

  private static void assertSameAsTheCodec(Message m) {
    byte[] expected = CODEC.encode(m).getBytes(StandardCharsets.UTF_8);
    assertThat(new String(CODEC.encodeUtf8(m), StandardCharsets.UTF_8))
        .isEqualTo(new String(expected, StandardCharsets.UTF_8));
  }

  @Test
  void everyAsciiCharAtEveryAlignmentIsEscapedAsJacksonEscapesIt() {
    String line = "onsembl benchmark output line, flat out, ninety-nine characters long....\n";
    for (int c = 0; c < 0x80; c++) {
      for (int at = 0; at < 9; at++) {
        StringBuilder content = new StringBuilder(line.repeat(5));
        content.setCharAt(OutputFrames.MIN_CONTENT / 2 + at, (char) c);
        content.append((char) c);
        TerminalOutput out =
            new TerminalOutput(
                "cmd-1",
                "agent-1",
                EnumValue.of(StreamType.STDOUT),
                content.toString(),
                c * 9L + at,
                null);
        Message m = Message.of(out);
        assertThat(OutputFrames.encode(CODEC, m)).as("fast path taken").isNotNull();
        assertSameAsTheCodec(m);
      }
    }
  }

  @Test
  void randomChunksAndAwkwardFieldsMatchTheCodec() {
    Random random = new Random(17);
    String[] ids = {"c", "agent \"quoted\"", "back\\slash", "ünïcode", "\"content\":\"\"", "x"};
    String alphabet = "ab \n\t\r\"\\\u0000\u001b\u007f?/{}:,";
    for (int round = 0; round < 3_000; round++) {
      int len = random.nextInt(600);
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < len; i++) {
        sb.append(
            random.nextInt(4) == 0
                ? alphabet.charAt(random.nextInt(alphabet.length()))
                : (char) ('a' + random.nextInt(26)));
      }
      if (random.nextInt(20) == 0) {
        sb.append(random.nextBoolean() ? "é" : "\uD83D\uDE00"); // not ASCII: the codec's path
      }
      TerminalOutput out =
          new TerminalOutput(
              ids[random.nextInt(ids.length)],
              ids[random.nextInt(ids.length)],
              random.nextBoolean()
                  ? EnumValue.of(StreamType.STDERR)
                  : EnumValue.of(StreamType.STDOUT),
              sb.toString(),
              random.nextInt(1_000_000),
              random.nextInt(10) == 0 ? "\u001b[1m" + sb : null);
      assertSameAsTheCodec(new Message(MessageType.TERMINAL_OUTPUT, "id-" + round, round, out));
    }
  }

  @Test
  void otherFramesAreTheCodecsTextAsUtf8() {
    Message m = Message.of(new Pong(42L));
    assertThat(OutputFrames.encode(CODEC, m)).isNull();
    assertSameAsTheCodec(m);
  }
}
