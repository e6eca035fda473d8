package ai.onsembl.wrapper.command.internal;

/**
 * Strips terminal escape sequences from text, for the {@code content} of TERMINAL_OUTPUT (the raw
 * text goes in {@code ansiCodes}). Removes CSI ({@code ESC [ … final}), OSC ({@code ESC ] … BEL} or
 * {@code ESC \}), DCS/SOS/PM/APC strings, two- and three-character escapes ({@code ESC 7}, {@code
 * ESC ( B}), and BEL. A sequence cut off at the end of the text is dropped. Newlines, carriage
 * returns and tabs stay.
 */
public final class AnsiText {
  private static final char ESC = 0x1b;
  private static final char BEL = 0x07;

  private AnsiText() {}

  /**
   * True when {@code text} holds an escape sequence or BEL (something {@link #strip} would remove).
   */
  public static boolean hasEscapes(CharSequence text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == ESC || c == BEL || c == 0x9b) {
        return true;
      }
    }
    return false;
  }

  public static String strip(CharSequence text) {
    StringBuilder out = new StringBuilder(text.length());
    int n = text.length();
    int i = 0;
    while (i < n) {
      char c = text.charAt(i);
      if (c == BEL) {
        i++;
      } else if (c == 0x9b) {
        i = skipCsi(text, i + 1);
      } else if (c != ESC) {
        out.append(c);
        i++;
      } else if (i + 1 >= n) {
        i = n;
      } else {
        char k = text.charAt(i + 1);
        if (k == '[') {
          i = skipCsi(text, i + 2);
        } else if (k == ']' || k == 'P' || k == 'X' || k == '^' || k == '_') {
          i = skipString(text, i + 2);
        } else if (k >= 0x20 && k <= 0x2f) {
          // ESC, intermediates, final: e.g. ESC ( B selects a character set.
          int j = i + 1;
          while (j < n && text.charAt(j) >= 0x20 && text.charAt(j) <= 0x2f) {
            j++;
          }
          i = Math.min(n, j + 1);
        } else {
          i += 2;
        }
      }
    }
    return out.toString();
  }

  private static int skipCsi(CharSequence text, int from) {
    int j = from;
    while (j < text.length()) {
      char c = text.charAt(j++);
      if (c >= 0x40 && c <= 0x7e) {
        return j;
      }
    }
    return text.length();
  }

  /** Up to and including BEL or ESC \ (string terminator). */
  private static int skipString(CharSequence text, int from) {
    int j = from;
    while (j < text.length()) {
      char c = text.charAt(j);
      if (c == BEL) {
        return j + 1;
      }
      if (c == ESC && j + 1 < text.length() && text.charAt(j + 1) == '\\') {
        return j + 2;
      }
      j++;
    }
    return text.length();
  }
}
