package ai.onsembl.protocol;

import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;

/**
 * A TERMINAL_OUTPUT frame straight to UTF-8, byte for byte what {@link StreamingCodec#encode}
 * writes (OutputFramesTest compares them), for the common chunk: ASCII {@code content}, no {@code
 * ansiCodes}. The frame is written by the codec with an empty {@code content}, and the content is
 * escaped into it eight bytes a step: a word without a control character, {@code "} or {@code \} is
 * copied as it is. Jackson escapes char by char, which was half of the wrapper's CPU when a child
 * writes flat out.
 */
final class OutputFrames {
  private static final VarHandle LONGS = Ascii.LONGS;
  private static final long ONES = Ascii.ONES;
  private static final long HIGH_BITS = Ascii.HIGH_BITS;
  private static final byte[] MARK = "\"content\":\"\"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);

  /** Shorter content goes through the codec. */
  static final int MIN_CONTENT = 256;

  private OutputFrames() {}

  /** The frame's UTF-8, or null when it is not such a chunk. */
  static byte[] encode(StreamingCodec codec, Message m) {
    if (!(m.payload() instanceof TerminalOutput out)
        || out.ansiCodes() != null
        || out.content() == null
        || out.content().length() < MIN_CONTENT) {
      return null;
    }
    byte[] content = Ascii.bytesIfAscii(out.content());
    if (content == null) {
      return null;
    }
    TerminalOutput empty =
        new TerminalOutput(
            out.commandId(), out.agentId(), out.streamType(), "", out.sequence(), null);
    byte[] shell =
        codec
            .encode(new Message(m.type(), m.id(), m.timestamp(), empty))
            .getBytes(StandardCharsets.UTF_8);
    // The first "content":"" with real quotes: no string before it can hold an unescaped quote.
    int at = indexOf(shell, MARK);
    if (at < 0) {
      return null;
    }
    int split = at + MARK.length - 1; // the closing quote of the empty value
    byte[] frame = new byte[shell.length + escapedLength(content)];
    System.arraycopy(shell, 0, frame, 0, split);
    int p = escape(content, frame, split);
    System.arraycopy(shell, split, frame, p, shell.length - split);
    return frame;
  }

  private static int indexOf(byte[] b, byte[] mark) {
    outer:
    for (int i = 0; i + mark.length <= b.length; i++) {
      for (int j = 0; j < mark.length; j++) {
        if (b[i + j] != mark[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /** True when a byte of the ASCII word {@code v} is below 0x20, {@code "} or {@code \}. */
  private static boolean special(long v) {
    long quote = v ^ (ONES * '"');
    long backslash = v ^ (ONES * '\\');
    long hits =
        ((v - ONES * 0x20) & ~v) | ((quote - ONES) & ~quote) | ((backslash - ONES) & ~backslash);
    return (hits & HIGH_BITS) != 0;
  }

  private static int escapedLength(byte[] s) {
    int extra = 0;
    int i = 0;
    for (; i + 8 <= s.length; i += 8) {
      if (special((long) LONGS.get(s, i))) {
        for (int j = i; j < i + 8; j++) {
          extra += extraBytes(s[j]);
        }
      }
    }
    for (; i < s.length; i++) {
      extra += extraBytes(s[i]);
    }
    return s.length + extra;
  }

  private static int extraBytes(byte c) {
    if (c == '"' || c == '\\') {
      return 1;
    }
    if (c < 0x20) {
      return shortEscape(c) != 0 ? 1 : 5;
    }
    return 0;
  }

  /** Jackson's two-char escapes; 0 for the {@code \\u00XX} form. */
  private static byte shortEscape(byte c) {
    switch (c) {
      case '\b':
        return 'b';
      case '\t':
        return 't';
      case '\n':
        return 'n';
      case '\f':
        return 'f';
      case '\r':
        return 'r';
      default:
        return 0;
    }
  }

  private static int escape(byte[] s, byte[] out, int p) {
    int i = 0;
    for (; i + 8 <= s.length; i += 8) {
      long v = (long) LONGS.get(s, i);
      if (!special(v)) {
        LONGS.set(out, p, v);
        p += 8;
      } else {
        for (int j = i; j < i + 8; j++) {
          p = escapeByte(s[j], out, p);
        }
      }
    }
    for (; i < s.length; i++) {
      p = escapeByte(s[i], out, p);
    }
    return p;
  }

  private static int escapeByte(byte c, byte[] out, int p) {
    if (c == '"' || c == '\\') {
      out[p++] = '\\';
      out[p++] = c;
    } else if (c < 0x20) {
      out[p++] = '\\';
      byte e = shortEscape(c);
      if (e != 0) {
        out[p++] = e;
      } else {
        out[p++] = 'u';
        out[p++] = '0';
        out[p++] = '0';
        out[p++] = HEX[c >> 4];
        out[p++] = HEX[c & 15];
      }
    } else {
      out[p++] = c;
    }
    return p;
  }
}
