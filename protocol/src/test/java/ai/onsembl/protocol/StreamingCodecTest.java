package ai.onsembl.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onsembl.protocol.fixtures.UpstreamFixtures;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link StreamingCodec} (jackson-core only, the wrapper's) against {@link ProtocolCodec}
 * (jackson-databind, the backend's): for every golden fixture and for 20,000 fuzzed frames (the
 * fuzz test's mutations), both give the same record and encode it to the same text, or refuse it
 * with the same kind, message, id and type.
 */
class StreamingCodecTest {
  private static final ProtocolCodec FULL = ProtocolCodec.standard();
  private static final StreamingCodec STREAMING = StreamingCodec.standard();

  /**
   * Every golden fixture: the TypeScript backend's and frontend's captured frames and ours, as
   * folder/name.
   */
  static Stream<String> fixtures() {
    return Stream.of(UpstreamFixtures.UPSTREAM_OBSERVED, "upstream-frontend", "fixtures")
        .flatMap(folder -> UpstreamFixtures.list(folder).stream().map(name -> folder + "/" + name));
  }

  private static String read(String fixture) {
    int slash = fixture.indexOf('/');
    return UpstreamFixtures.read(fixture.substring(0, slash), fixture.substring(slash + 1));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void everyFixtureDecodesAndEncodesExactlyAsTheFullCodec(String fixture) throws Exception {
    String frame = read(fixture);
    Message full = FULL.decode(frame);
    Message streaming = STREAMING.decode(frame);
    assertThat(streaming).isEqualTo(full);
    assertThat(STREAMING.encode(full)).isEqualTo(FULL.encode(full));
  }

  @Test
  void everyFixtureTypeIsCovered() {
    assertThat(fixtures().count()).isGreaterThanOrEqualTo(40);
  }

  @Test
  void fuzzedFramesGetTheSameAnswerFromBothCodecs() {
    long seed = Long.getLong("onsembl.fuzzSeed", System.nanoTime());
    System.out.println("StreamingCodecTest seed=" + seed);
    Random rnd = new Random(seed);
    List<String> corpus = new ArrayList<>();
    fixtures().forEach(f -> corpus.add(read(f)));
    Map<ProtocolException.Kind, Integer> kinds = new EnumMap<>(ProtocolException.Kind.class);
    int decoded = 0;
    for (int i = 0; i < 20_000; i++) {
      String frame =
          i % 10 == 0
              ? CodecFuzzTest.randomText(rnd)
              : CodecFuzzTest.mutate(corpus.get(rnd.nextInt(corpus.size())), rnd);
      Object full = outcome(FULL::decode, frame);
      Object streaming = outcome(STREAMING::decode, frame);
      String why =
          "seed "
              + seed
              + " frame #"
              + i
              + ": "
              + (frame.length() > 300 ? frame.substring(0, 300) : frame);
      assertThat(streaming).as(why).isEqualTo(full);
      if (full instanceof Message m) {
        decoded++;
        assertThat(STREAMING.encode(m)).as(why).isEqualTo(FULL.encode(m));
      } else {
        kinds.merge(((Refusal) full).kind(), 1, Integer::sum);
      }
    }
    System.out.println("decoded=" + decoded + " refused=" + kinds);
    assertThat(decoded).isPositive();
    assertThat(kinds.keySet())
        .contains(
            ProtocolException.Kind.NOT_JSON,
            ProtocolException.Kind.INVALID_PAYLOAD,
            ProtocolException.Kind.INVALID_ENVELOPE,
            ProtocolException.Kind.UNKNOWN_TYPE);
  }

  @Test
  void edgeCasesGetTheSameAnswer() {
    String[] frames = {
      "",
      " ",
      "null",
      "12",
      "\"x\"",
      "[]",
      "{} {}",
      "{} x",
      "{\"type\":\"PING\"}",
      "{\"type\":\"PING\",\"id\":\"a\",\"timestamp\":1e400,\"payload\":{}}",
      "{\"type\":\"PING\",\"id\":\"a\",\"timestamp\":-0.0,\"payload\":{}}",
      "{\"type\":\"PING\",\"id\":\"a\",\"timestamp\":9223372036854775808,\"payload\":{}}",
      "{\"type\":\"PING\",\"id\":\"a\",\"timestamp\":1.5,\"payload\":{\"timestamp\":2.0,\"sequence\":3}}",
      "{\"type\":\"PING\",\"id\":\"a\",\"timestamp\":1,\"payload\":{\"timestamp\":\"\\u0001\\u00e9\"}}",
      "{\"type\":\"AGENT_ERROR\",\"id\":\"a\",\"timestamp\":1,\"payload\":{\"message\":\"m\",\"details\":"
          + "{\"a\":null,\"b\":[1,2.5,null,{\"c\":12345678901234567890}],\"d\":true}}}",
      "{\"type\":\"COMMAND_ACK\",\"id\":\"a\",\"timestamp\":1,\"payload\":{\"commandId\":\"c\",\"status\":\"x\","
          + "\"queuePosition\":4294967296}}",
      "{\"type\":\"TERMINAL_OUTPUT\",\"id\":\"a\",\"timestamp\":1,\"payload\":{\"commandId\":\"c\","
          + "\"streamType\":\"STDOUT\",\"content\":\"\\u001b[31mred\\ud83d\\ude00\",\"sequence\":1,\"sequence\":2}}",
      "{\"id\":\"a\",\"type\":\"NOPE\",\"timestamp\":1,\"payload\":{}}",
    };
    for (String frame : frames) {
      Object full = outcome(FULL::decode, frame);
      assertThat(outcome(STREAMING::decode, frame)).as(frame).isEqualTo(full);
      if (full instanceof Message m) {
        assertThat(STREAMING.encode(m)).as(frame).isEqualTo(FULL.encode(m));
      }
    }
  }

  @Test
  void oversizedFramesAreRefusedAlike() {
    StreamingCodec small = new StreamingCodec(4096);
    ProtocolCodec smallFull = new ProtocolCodec(4096);
    String frame = "{\"x\":\"" + "é".repeat(3000) + "\"}";
    assertThat(outcome(small::decode, frame)).isEqualTo(outcome(smallFull::decode, frame));
    assertThat(((Refusal) outcome(small::decode, frame)).kind())
        .isEqualTo(ProtocolException.Kind.FRAME_TOO_LARGE);
  }

  private interface Decoder {
    Message decode(String frame) throws ProtocolException;
  }

  private record Refusal(
      ProtocolException.Kind kind, String message, String messageId, String rawType) {}

  private static Object outcome(Decoder d, String frame) {
    try {
      return d.decode(frame);
    } catch (ProtocolException e) {
      return new Refusal(e.kind(), e.getMessage(), e.messageId(), e.rawType());
    }
  }
}
