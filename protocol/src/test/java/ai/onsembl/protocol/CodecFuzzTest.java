package ai.onsembl.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import ai.onsembl.protocol.fixtures.UpstreamFixtures;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Seeded fuzzing of {@link ProtocolCodec#decode}: random and mutated frames must either decode or
 * fail with a {@link ProtocolException}, quickly. The seed is printed so a failure can be replayed
 * with {@code -Donsembl.fuzzSeed=N}.
 */
class CodecFuzzTest {
  private static final int FRAMES = 20_000;
  private static final String[] TOKENS = {
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "\"",
    "null",
    "true",
    "false",
    "-1",
    "0",
    "1e999",
    "9223372036854775808",
    "\"type\"",
    "\"payload\"",
    "\"timestamp\"",
    "\"id\"",
    "\"sequence\"",
    "\"\\u0000\"",
    "\"\\ud800\"",
    "NaN",
    "\"AGENT_CONNECT\"",
    "\"TERMINAL_OUTPUT\"",
    "\"2025-01-01T00:00:00Z\"",
    "{}",
    "[]",
    "\"\"",
    "1.5",
    "\\",
  };

  @Test
  void randomAndMutatedFramesOnlyEverThrowProtocolException() {
    long seed = Long.getLong("onsembl.fuzzSeed", System.nanoTime());
    System.out.println("CodecFuzzTest seed=" + seed);
    Random rnd = new Random(seed);
    List<String> corpus = new ArrayList<>();
    UpstreamFixtures.list().forEach(name -> corpus.add(UpstreamFixtures.read(name)));
    UpstreamFixtures.list("fixtures")
        .forEach(name -> corpus.add(UpstreamFixtures.read("fixtures", name)));
    ProtocolCodec codec = ProtocolCodec.standard();
    Map<ProtocolException.Kind, Integer> kinds = new EnumMap<>(ProtocolException.Kind.class);
    int[] decoded = {0};
    assertTimeoutPreemptively(
        Duration.ofSeconds(60),
        () -> {
          for (int i = 0; i < FRAMES; i++) {
            String frame =
                i % 10 == 0 ? randomText(rnd) : mutate(corpus.get(rnd.nextInt(corpus.size())), rnd);
            try {
              codec.decode(frame);
              decoded[0]++;
            } catch (ProtocolException e) {
              kinds.merge(e.kind(), 1, Integer::sum);
              assertThat(e.getMessage()).isNotBlank();
            } catch (Throwable t) {
              throw new AssertionError(
                  "seed "
                      + seed
                      + " frame #"
                      + i
                      + " threw "
                      + t
                      + " for: "
                      + (frame.length() > 300 ? frame.substring(0, 300) + "…" : frame),
                  t);
            }
          }
        });
    System.out.println("decoded=" + decoded[0] + " refused=" + kinds);
    // a useful fuzzer exercises both outcomes and several refusal kinds
    assertThat(decoded[0]).isPositive();
    assertThat(kinds.keySet())
        .contains(
            ProtocolException.Kind.NOT_JSON,
            ProtocolException.Kind.INVALID_PAYLOAD,
            ProtocolException.Kind.UNKNOWN_TYPE);
  }

  @Test
  void oversizedInputIsRefusedWithoutParsingEvenWhenPathological() {
    ProtocolCodec codec = new ProtocolCodec(4096);
    Random rnd = new Random(42);
    for (int i = 0; i < 200; i++) {
      StringBuilder sb = new StringBuilder();
      while (sb.length() <= 4096) {
        sb.append(TOKENS[rnd.nextInt(TOKENS.length)]);
      }
      try {
        codec.decode(sb.toString());
        throw new AssertionError("accepted an oversized frame");
      } catch (ProtocolException e) {
        assertThat(e.kind()).isEqualTo(ProtocolException.Kind.FRAME_TOO_LARGE);
      }
    }
  }

  static String randomText(Random rnd) {
    int n = rnd.nextInt(200);
    StringBuilder sb = new StringBuilder(n);
    for (int i = 0; i < n; i++) {
      sb.append(
          rnd.nextInt(4) == 0 ? (char) rnd.nextInt(0x10000) : TOKENS[rnd.nextInt(TOKENS.length)]);
    }
    return sb.toString();
  }

  static String mutate(String s, Random rnd) {
    StringBuilder sb = new StringBuilder(s);
    int edits = 1 + rnd.nextInt(4);
    for (int e = 0; e < edits && sb.length() > 0; e++) {
      int pos = rnd.nextInt(sb.length());
      switch (rnd.nextInt(6)) {
        case 0 -> sb.deleteCharAt(pos);
        case 1 -> sb.insert(pos, TOKENS[rnd.nextInt(TOKENS.length)]);
        case 2 -> sb.setCharAt(pos, (char) (32 + rnd.nextInt(95)));
        case 3 -> sb.setLength(pos);
        case 4 -> sb.insert(pos, "[".repeat(rnd.nextInt(200)));
        default -> {
          // swap a string value for a number, or a number for a string
          int q = sb.indexOf("\"", pos);
          if (q > 0) {
            sb.insert(q, rnd.nextBoolean() ? "123," : "\"x\",");
          }
        }
      }
    }
    return sb.toString();
  }
}
