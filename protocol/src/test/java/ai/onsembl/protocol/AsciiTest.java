package ai.onsembl.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AsciiTest {
  /** The char-by-char count the fast path must agree with (lone surrogates count 3). */
  private static long slowUtf8Length(String s) {
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

  @Test
  void firstNonAsciiFindsTheFirstHighByteAtEveryPositionAndAlignment() {
    for (int len = 0; len < 40; len++) {
      for (int off = 0; off < 9 && off <= len; off++) {
        byte[] b = new byte[len];
        java.util.Arrays.fill(b, (byte) 'a');
        assertThat(Ascii.firstNonAscii(b, off, len)).isEqualTo(len);
        for (int bad = off; bad < len; bad++) {
          byte[] c = b.clone();
          c[bad] = (byte) 0x80;
          if (bad + 3 < len) {
            c[bad + 3] = (byte) 0xff;
          }
          assertThat(Ascii.firstNonAscii(c, off, len))
              .as("len %d off %d bad %d", len, off, bad)
              .isEqualTo(bad);
        }
      }
    }
  }

  @Test
  void bytesIfAsciiTellsAsciiFromEverythingElseIncludingRealQuestionMarks() {
    for (int len = 0; len < 40; len++) {
      StringBuilder base = new StringBuilder();
      for (int i = 0; i < len; i++) {
        base.append(i % 3 == 0 ? '\0' : i % 3 == 1 ? '\u007f' : '?');
      }
      String ascii = base.toString();
      assertThat(Ascii.bytesIfAscii(ascii)).isEqualTo(ascii.getBytes(StandardCharsets.US_ASCII));
      for (int at = 0; at < len; at++) {
        for (char c : new char[] {'\u0080', '\u00ff', '\u0100', '€', '\ud800', '\uffff'}) {
          StringBuilder sb = new StringBuilder(ascii);
          sb.setCharAt(at, c);
          assertThat(Ascii.bytesIfAscii(sb.toString()))
              .as("len %d at %d char %x", len, at, (int) c)
              .isNull();
        }
      }
    }
  }

  @Test
  void countAndContainsEitherSeeEveryPositionWithoutFalseHits() {
    Random random = new Random(9);
    byte[] alphabet = {'\n', 0x1b, 0x07, 0, 0x0b, 0x0a ^ 0x01, (byte) 0x8a, 'a', (byte) 0xff, 0x1a};
    for (int round = 0; round < 5_000; round++) {
      byte[] b = new byte[random.nextInt(40)];
      for (int i = 0; i < b.length; i++) {
        b[i] = alphabet[random.nextInt(alphabet.length)];
      }
      int off = b.length == 0 ? 0 : random.nextInt(b.length);
      int end = off + random.nextInt(b.length - off + 1);
      int newlines = 0;
      boolean escapes = false;
      for (int i = off; i < end; i++) {
        newlines += b[i] == '\n' ? 1 : 0;
        escapes |= b[i] == 0x1b || b[i] == 0x07;
      }
      assertThat(Ascii.count(b, off, end, (byte) '\n')).isEqualTo(newlines);
      assertThat(Ascii.containsEither(b, off, end, (byte) 0x1b, (byte) 0x07)).isEqualTo(escapes);
    }
  }

  @Test
  void utf8LengthMatchesTheCharByCharCountForAsciiLatin1UnicodeAndLoneSurrogates() {
    String line = "onsembl output line, ninety-nine characters long........................\n";
    String ascii = line.repeat(20);
    assertThat(FrameText.utf8Length(ascii)).isEqualTo(ascii.length());
    Random random = new Random(7);
    String[] inserts = {
      "?", "é", "\u00ff", "\u0100", "€", "\ud83d\ude00", "\ud800", "\udc00", "\u0000", "\u007f"
    };
    for (int round = 0; round < 2_000; round++) {
      StringBuilder sb = new StringBuilder(ascii.substring(0, random.nextInt(ascii.length())));
      int n = random.nextInt(3);
      for (int k = 0; k < n; k++) {
        sb.insert(random.nextInt(sb.length() + 1), inserts[random.nextInt(inserts.length)]);
      }
      String s = sb.toString();
      assertThat(FrameText.utf8Length(s)).as(s).isEqualTo(slowUtf8Length(s));
      if (s.chars().noneMatch(c -> Character.isSurrogate((char) c))) {
        assertThat(FrameText.utf8Length(s)).isEqualTo(s.getBytes(StandardCharsets.UTF_8).length);
      }
    }
    // a non-String CharSequence is counted char by char
    assertThat(FrameText.utf8Length(new StringBuilder(ascii + "é"))).isEqualTo(ascii.length() + 2);
  }
}
