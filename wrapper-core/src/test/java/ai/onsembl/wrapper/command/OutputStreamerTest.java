package ai.onsembl.wrapper.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.onsembl.protocol.OutputStats;
import ai.onsembl.protocol.StreamType;
import ai.onsembl.protocol.TerminalOutput;
import ai.onsembl.wrapper.command.internal.Threads;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class OutputStreamerTest {
  private static final Duration LONG_LINGER = Duration.ofMinutes(5);
  private final RecordingOutbound out = new RecordingOutbound();

  private OutputStreamer streamer(Duration linger, int maxBytes) {
    return new OutputStreamer("c1", () -> "agent-1", out, Threads.timer(), linger, maxBytes);
  }

  private List<TerminalOutput> frames() {
    return out.outputsFor("c1");
  }

  @Test
  void manySmallAppendsBecomeOneFrame() {
    OutputStreamer s = streamer(LONG_LINGER, OutputStreamer.MAX_CHUNK_BYTES);
    for (int i = 0; i < 100; i++) {
      s.append(StreamType.STDOUT, "line " + i + "\n");
    }
    assertThat(frames()).isEmpty();
    s.flush();
    assertThat(frames()).hasSize(1);
    assertThat(frames().get(0).content()).startsWith("line 0\n").endsWith("line 99\n");
    assertThat(frames().get(0).sequence()).isEqualTo(1);
  }

  @Test
  void escapesAreFlaggedPerChunkAndLinesCountedAcrossChunks() {
    OutputStreamer s = streamer(LONG_LINGER, 16);
    // 16-byte chunks: a plain one, one with the colour codes, a plain rest, one on stderr with a
    // BEL
    s.append(StreamType.STDOUT, "plain line one\n");
    s.flush();
    s.append(StreamType.STDOUT, "\u001b[31mred\u001b[0m\nno escape here\n");
    s.append(StreamType.STDERR, "err\u0007bell");
    s.close();
    List<TerminalOutput> f = frames();
    assertThat(f.stream().map(TerminalOutput::content).collect(Collectors.joining()))
        .isEqualTo("plain line one\nred\nno escape here\nerrbell");
    for (TerminalOutput o : f) {
      String raw = o.ansiCodes() != null ? o.ansiCodes() : o.content();
      boolean escapes = raw.indexOf('\u001b') >= 0 || raw.indexOf('\u0007') >= 0;
      assertThat(o.ansiCodes() != null).as("chunk " + raw).isEqualTo(escapes);
      assertThat(raw.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(16);
    }
    assertThat(f).anyMatch(o -> o.ansiCodes() == null).anyMatch(o -> o.ansiCodes() != null);
    assertThat(s.outputStats()).isEqualTo(new OutputStats(4L, 3L, 1L));
  }

  @Test
  void bufferedTextIsSentByItselfAfterTheLinger() {
    OutputStreamer s = new OutputStreamer("c1", () -> "agent-1", out);
    s.append(StreamType.STDOUT, "partial prompt> ");

    await().atMost(Duration.ofSeconds(5)).until(() -> frames().size() == 1);
    assertThat(frames().get(0).content()).isEqualTo("partial prompt> ");
  }

  @Test
  void chunksStayWithinTheByteLimitAndNeverSplitACodePoint() {
    OutputStreamer s = streamer(LONG_LINGER, OutputStreamer.MAX_CHUNK_BYTES);
    String unit = "ascii é € 😀 ";
    String text = unit.repeat(10_000);
    for (int i = 0; i < text.length(); i += 777) {
      // 777-char pieces may end between the two chars of a surrogate pair; the streamer joins them.
      s.append(StreamType.STDOUT, text.substring(i, Math.min(text.length(), i + 777)));
    }
    s.close();

    List<TerminalOutput> frames = frames();
    assertThat(frames.stream().map(TerminalOutput::content).collect(Collectors.joining()))
        .isEqualTo(text);
    assertThat(frames)
        .allSatisfy(
            f -> {
              assertThat(f.content().getBytes(StandardCharsets.UTF_8).length)
                  .isLessThanOrEqualTo(OutputStreamer.MAX_CHUNK_BYTES);
              assertThat(Character.isLowSurrogate(f.content().charAt(0)))
                  .as("chunk starts inside a surrogate pair")
                  .isFalse();
            });
    assertThat(frames.size())
        .isBetween(
            text.getBytes(StandardCharsets.UTF_8).length / OutputStreamer.MAX_CHUNK_BYTES,
            text.getBytes(StandardCharsets.UTF_8).length / OutputStreamer.MAX_CHUNK_BYTES + 2);
  }

  @Test
  void sequenceCountsFromOneWithoutGapsOrRepeats() {
    OutputStreamer s = streamer(LONG_LINGER, 8);
    s.append(StreamType.STDOUT, "0123456789".repeat(10));
    s.append(StreamType.STDERR, "err");
    s.close();

    assertThat(frames().stream().map(TerminalOutput::sequence).toList())
        .isEqualTo(LongStream.rangeClosed(1, frames().size()).boxed().toList());
    assertThat(s.lastSequence()).isEqualTo(frames().size());
  }

  @Test
  void otherStreamSendsTheBufferedTextFirstSoStreamsNeverMix() {
    OutputStreamer s = streamer(LONG_LINGER, OutputStreamer.MAX_CHUNK_BYTES);
    s.append(StreamType.STDOUT, "a");
    s.append(StreamType.STDOUT, "b");
    s.append(StreamType.STDERR, "E");
    s.append(StreamType.STDOUT, "c");
    s.close();

    assertThat(frames().stream().map(f -> f.streamType() + ":" + f.content()).toList())
        .containsExactly("STDOUT:ab", "STDERR:E", "STDOUT:c");
  }

  @Test
  void lineStatsCountAnUnterminatedLastLine() {
    OutputStreamer s = streamer(LONG_LINGER, OutputStreamer.MAX_CHUNK_BYTES);
    s.append(StreamType.STDOUT, "one\ntwo\nthr");
    s.append(StreamType.STDOUT, "ee");
    s.append(StreamType.STDERR, "warning\n");

    assertThat(s.outputStats()).isEqualTo(new OutputStats(4L, 3L, 1L));
  }

  @Test
  void closeSendsTheRestAndDropsLaterText() {
    OutputStreamer s = streamer(LONG_LINGER, OutputStreamer.MAX_CHUNK_BYTES);
    s.append(StreamType.STDOUT, "last words");
    s.close();
    s.close();

    assertThat(s.append(StreamType.STDOUT, "too late")).isFalse();
    assertThat(frames()).extracting(TerminalOutput::content).containsExactly("last words");
  }

  @Test
  void agentIdIsReadWhenAFrameIsSent() {
    AtomicReference<String> id = new AtomicReference<>("old-id");
    OutputStreamer s = new OutputStreamer("c1", id::get, out, Threads.timer(), LONG_LINGER, 64);
    s.append(StreamType.STDOUT, "x");
    id.set("backend-assigned-id");
    s.flush();

    assertThat(frames().get(0).agentId()).isEqualTo("backend-assigned-id");
  }

  @Test
  void aRefusedFrameStillUsesItsSequenceSoTheGapShows() {
    java.util.List<TerminalOutput> accepted = new java.util.ArrayList<>();
    int[] calls = {0};
    OutputStreamer s =
        new OutputStreamer(
            "c1",
            () -> "agent-1",
            p -> {
              if (++calls[0] == 2) {
                return false;
              }
              accepted.add((TerminalOutput) p);
              return true;
            },
            Threads.timer(),
            LONG_LINGER,
            4);
    s.append(StreamType.STDOUT, "aaaabbbbcccc");
    s.close();

    assertThat(accepted).extracting(TerminalOutput::sequence).containsExactly(1L, 3L);
    assertThat(accepted).extracting(TerminalOutput::content).containsExactly("aaaa", "cccc");
  }

  /**
   * An ASCII String of 64 chars or more takes the word-at-a-time path; the same text as a
   * StringBuilder takes the char-by-char one. Both must cut the same chunks, flag the same escapes
   * and count the same lines, whatever the chunk limit and the split of the text into appends.
   */
  @Test
  void asciiStringsAreChunkedExactlyAsCharByCharScanning() {
    java.util.Random random = new java.util.Random(13);
    String[] pieces = {"a", "line of output\n", "\n", "\u001b[1m", "\u0007", "?", "x".repeat(70)};
    for (int round = 0; round < 300; round++) {
      StringBuilder text = new StringBuilder();
      int n = 1 + random.nextInt(60);
      for (int i = 0; i < n; i++) {
        text.append(pieces[random.nextInt(pieces.length)]);
      }
      int maxBytes = 4 + random.nextInt(200);
      List<String> appends = new java.util.ArrayList<>();
      for (int pos = 0; pos < text.length(); ) {
        int len = Math.min(text.length() - pos, 1 + random.nextInt(300));
        appends.add(text.substring(pos, pos + len));
        pos += len;
      }
      RecordingOutbound fastOut = new RecordingOutbound();
      RecordingOutbound slowOut = new RecordingOutbound();
      OutputStreamer fast =
          new OutputStreamer("c1", () -> "a", fastOut, Threads.timer(), LONG_LINGER, maxBytes);
      OutputStreamer slow =
          new OutputStreamer("c1", () -> "a", slowOut, Threads.timer(), LONG_LINGER, maxBytes);
      for (String a : appends) {
        StreamType stream = random.nextInt(8) == 0 ? StreamType.STDERR : StreamType.STDOUT;
        fast.append(stream, a);
        slow.append(stream, new StringBuilder(a));
      }
      fast.close();
      slow.close();
      assertThat(fastOut.outputsFor("c1"))
          .as("round %d", round)
          .isEqualTo(slowOut.outputsFor("c1"));
      assertThat(fast.outputStats()).isEqualTo(slow.outputStats());
    }
  }
}
