package ai.onsembl.protocol;

/**
 * Text helpers both codecs share; no Jackson here, so the streaming codec can use them without
 * databind.
 */
final class FrameText {
  private FrameText() {}

  /** Refuses a frame larger than {@code maxFrameBytes} in UTF-8, before any parsing. */
  static void checkSize(String frame, int maxFrameBytes) throws ProtocolException {
    int chars = frame.length();
    // UTF-8 needs at most 3 bytes per UTF-16 char; count exactly only when it could matter.
    if ((long) chars * 3 <= maxFrameBytes) {
      return;
    }
    long bytes = chars > maxFrameBytes ? chars : utf8Length(frame);
    if (bytes > maxFrameBytes) {
      throw new ProtocolException(
          ProtocolException.Kind.FRAME_TOO_LARGE,
          "frame too large: expected at most "
              + maxFrameBytes
              + " bytes but got "
              + (chars > maxFrameBytes ? "more than " + maxFrameBytes : bytes),
          null,
          null,
          null);
    }
  }

  /**
   * UTF-8 length of {@code s}, without encoding it. A long String is first probed for ASCII (one
   * copy of its bytes as ISO-8859-1, then a word-at-a-time scan): terminal output is mostly ASCII,
   * and a char-by-char count costs the wrapper and the backend a pass over every 64 KiB chunk.
   */
  static long utf8Length(CharSequence s) {
    if (s instanceof String str
        && str.length() >= Ascii.PROBE_MIN_CHARS
        && Ascii.bytesIfAscii(str) != null) {
      return str.length();
    }
    long n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n++;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c)
          && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    return n;
  }

  static String shorten(String s) {
    return s.length() > 60 ? s.substring(0, 60) + "…" : s;
  }

  static String oneLine(String s) {
    String line = s == null ? "" : s.replace('\n', ' ').replace('\r', ' ');
    return line.length() > 200 ? line.substring(0, 200) + "…" : line;
  }
}
