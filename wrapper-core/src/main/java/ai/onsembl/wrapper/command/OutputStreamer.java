package ai.onsembl.wrapper.command;

import ai.onsembl.protocol.Ascii;
import ai.onsembl.protocol.EnumValue;
import ai.onsembl.protocol.OutputStats;
import ai.onsembl.protocol.StreamType;
import ai.onsembl.protocol.TerminalOutput;
import ai.onsembl.wrapper.Outbound;
import ai.onsembl.wrapper.command.internal.AnsiText;
import ai.onsembl.wrapper.command.internal.Threads;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Turns one command's output into TERMINAL_OUTPUT frames. Text is coalesced into chunks of at most
 * {@link #MAX_CHUNK_BYTES} (UTF-8), each sent at the latest {@link #LINGER} after its first
 * character arrived. STDOUT and STDERR never share a chunk: text of the other stream first sends
 * what is buffered, so the order between the streams is the order {@link #append} saw. {@code
 * sequence} counts from 1 and never repeats; a frame the {@link Outbound} refuses still uses its
 * number, so the loss shows as a gap.
 *
 * <p>A chunk holding escape sequences is sent with {@code content} stripped of them ({@link
 * AnsiText}) and the raw text in {@code ansiCodes}; other chunks have no {@code ansiCodes}.
 *
 * <p>Thread-safe. {@link #append} never blocks on I/O (it queues frames on the non-blocking
 * Outbound). After {@link #close()} further text is ignored. Also usable for a child's output
 * outside any command, with the agent id as {@code commandId}.
 */
public final class OutputStreamer implements AutoCloseable {
  /**
   * Largest chunk, in UTF-8 bytes. 64 KiB: a child writing flat out costs the link and the backend
   * per frame (encode, store, broadcast), so larger frames carry more output per unit of CPU; even
   * all control characters (6 bytes escaped) in content and ansiCodes stay under the 1 MiB frame
   * limit.
   */
  public static final int MAX_CHUNK_BYTES = 64 * 1024;

  /** Longest time text waits in the buffer. */
  public static final Duration LINGER = Duration.ofMillis(20);

  private final String commandId;
  private final Supplier<String> agentId;
  private final Outbound outbound;
  private final ScheduledExecutorService timer;
  private final long lingerNanos;
  private final int maxChunkBytes;

  private final StringBuilder buffer = new StringBuilder();
  private StreamType bufferStream;
  private int bufferBytes;

  /**
   * The buffer holds ESC, BEL or CSI (what {@link AnsiText#hasEscapes} looks for), seen while
   * appending.
   */
  private boolean bufferEscapes;

  private ScheduledFuture<?> pendingFlush;
  private long sequence;
  private boolean closed;
  private final LineCount stdoutLines = new LineCount();
  private final LineCount stderrLines = new LineCount();

  /** A streamer with the documented limits on the shared timer thread. */
  public OutputStreamer(String commandId, Supplier<String> agentId, Outbound outbound) {
    this(commandId, agentId, outbound, Threads.timer(), LINGER, MAX_CHUNK_BYTES);
  }

  /**
   * @param timer runs linger flushes; its tasks are short
   * @param linger longest wait of buffered text (positive)
   * @param maxChunkBytes largest chunk in UTF-8 bytes (4 or more, so any code point fits)
   */
  public OutputStreamer(
      String commandId,
      Supplier<String> agentId,
      Outbound outbound,
      ScheduledExecutorService timer,
      Duration linger,
      int maxChunkBytes) {
    this.commandId = Objects.requireNonNull(commandId, "commandId");
    this.agentId = Objects.requireNonNull(agentId, "agentId");
    this.outbound = Objects.requireNonNull(outbound, "outbound");
    this.timer = Objects.requireNonNull(timer, "timer");
    if (linger.isNegative() || linger.isZero()) {
      throw new IllegalArgumentException("linger: expected a positive duration but got " + linger);
    }
    if (maxChunkBytes < 4) {
      throw new IllegalArgumentException(
          "maxChunkBytes: expected 4 or more but got " + maxChunkBytes);
    }
    this.lingerNanos = linger.toNanos();
    this.maxChunkBytes = maxChunkBytes;
  }

  public String commandId() {
    return commandId;
  }

  /**
   * Adds {@code text} of {@code stream} (STDOUT or STDERR; anything else counts as STDOUT). Returns
   * false when the streamer is closed and the text was dropped.
   */
  public synchronized boolean append(StreamType stream, CharSequence text) {
    if (closed) {
      return false;
    }
    StreamType s = stream == StreamType.STDERR ? StreamType.STDERR : StreamType.STDOUT;
    int len = text.length();
    if (len == 0) {
      return true;
    }
    if (bufferStream != s) {
      emit();
      bufferStream = s;
    }
    byte[] ascii =
        text instanceof String str && len >= Ascii.PROBE_MIN_CHARS ? Ascii.bytesIfAscii(str) : null;
    if (ascii != null) {
      appendAscii(s, (String) text, ascii);
      return true;
    }
    // One pass: UTF-8 size, newlines and escape characters. Runs of characters go into the buffer
    // in one append
    // (no per-character StringBuilder call); a chunk ends before the character that would not fit,
    // never inside
    // a surrogate pair.
    int start = 0;
    int i = 0;
    long newlines = 0;
    while (i < len) {
      char c = text.charAt(i);
      boolean pair =
          Character.isHighSurrogate(c)
              && i + 1 < len
              && Character.isLowSurrogate(text.charAt(i + 1));
      int bytes = pair ? 4 : utf8Length(c);
      if (bufferBytes + bytes > maxChunkBytes) {
        appendRun(text, start, i);
        start = i;
        emit();
      }
      if (c < 0x20 || c == 0x9b) {
        if (c == '\n') {
          newlines++;
        } else if (c == 0x1b || c == 0x07 || c == 0x9b) {
          bufferEscapes = true;
        }
      }
      bufferBytes += bytes;
      i += pair ? 2 : 1;
    }
    appendRun(text, start, len);
    (s == StreamType.STDOUT ? stdoutLines : stderrLines)
        .add(newlines, text.charAt(len - 1) != '\n');
    if (buffer.length() > 0 && pendingFlush == null) {
      pendingFlush = timer.schedule(this::lingerExpired, lingerNanos, TimeUnit.NANOSECONDS);
    }
    return true;
  }

  /**
   * {@link #append} of an ASCII String (its bytes in {@code bytes}): one byte per char, so the
   * chunks are cut by index, and newlines and escape characters (CSI, 0x9b, is not ASCII) are found
   * a word at a time instead of char by char. Cuts where {@link #append}'s loop cuts: before the
   * char that would not fit.
   */
  private void appendAscii(StreamType s, String text, byte[] bytes) {
    int len = bytes.length;
    int start = 0;
    while (start < len) {
      if (bufferBytes >= maxChunkBytes) {
        emit();
      }
      int end = Math.min(len, start + (maxChunkBytes - bufferBytes));
      if (!bufferEscapes && Ascii.containsEither(bytes, start, end, (byte) 0x1b, (byte) 0x07)) {
        bufferEscapes = true;
      }
      appendRun(text, start, end);
      bufferBytes += end - start;
      start = end;
    }
    (s == StreamType.STDOUT ? stdoutLines : stderrLines)
        .add(Ascii.count(bytes, 0, len, (byte) '\n'), bytes[len - 1] != '\n');
    if (buffer.length() > 0 && pendingFlush == null) {
      pendingFlush = timer.schedule(this::lingerExpired, lingerNanos, TimeUnit.NANOSECONDS);
    }
  }

  /**
   * Appends {@code text[start, end)}. A String goes in whole or as a substring: on JDK 17, {@code
   * StringBuilder.append(CharSequence, int, int)} widens every character to a char and back, where
   * appending a String copies its bytes.
   */
  private void appendRun(CharSequence text, int start, int end) {
    if (start == end) {
      return;
    }
    if (text instanceof String str) {
      buffer.append(start == 0 && end == str.length() ? str : str.substring(start, end));
    } else {
      buffer.append(text, start, end);
    }
  }

  /**
   * For the thread that reads this command's output, before it reads more (holding no lock): waits
   * while the backend reads slower than the output comes ({@link Outbound#awaitRoom}).
   */
  public void awaitRoom() {
    outbound.awaitRoom();
  }

  /** Sends what is buffered now. */
  public synchronized void flush() {
    emit();
  }

  /** Sends what is buffered and ignores any later text. Idempotent. */
  @Override
  public synchronized void close() {
    if (!closed) {
      emit();
      closed = true;
    }
  }

  /** The highest {@code sequence} used so far (0 before the first frame). */
  public synchronized long lastSequence() {
    return sequence;
  }

  /** Lines seen so far per stream; a last line without a newline counts. */
  public synchronized OutputStats outputStats() {
    long out = stdoutLines.lines();
    long err = stderrLines.lines();
    return new OutputStats(out + err, out, err);
  }

  private synchronized void lingerExpired() {
    pendingFlush = null;
    emit();
  }

  private void emit() {
    if (pendingFlush != null) {
      pendingFlush.cancel(false);
      pendingFlush = null;
    }
    if (buffer.length() == 0) {
      return;
    }
    String raw = buffer.toString();
    buffer.setLength(0);
    bufferBytes = 0;
    // Colours and cursor movement stay for a terminal-capable viewer in ansiCodes; content is plain
    // text.
    boolean escapes = bufferEscapes;
    bufferEscapes = false;
    TerminalOutput frame =
        new TerminalOutput(
            commandId,
            agentId.get(),
            EnumValue.of(bufferStream),
            escapes ? AnsiText.strip(raw) : raw,
            ++sequence,
            escapes ? raw : null);
    try {
      outbound.send(frame);
    } catch (RuntimeException e) {
      // Lost like a refused frame: the gap shows in the sequence; the command itself goes on.
    }
  }

  private static int utf8Length(char c) {
    if (c < 0x80) {
      return 1;
    }
    return c < 0x800 ? 2 : 3;
  }

  /** Counts newline-terminated lines plus an unterminated last one. */
  private static final class LineCount {
    private long complete;
    private boolean open;

    void add(long newlines, boolean endsOpen) {
      complete += newlines;
      open = endsOpen;
    }

    long lines() {
      return complete + (open ? 1 : 0);
    }
  }
}
