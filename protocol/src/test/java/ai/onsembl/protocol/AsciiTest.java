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
  void asciiWithoutQuestionMarkRefusesHighBytesAndQuestionMarksAnywhere() {
    for (int len = 0; len < 40; len++) {
      byte[] b = new byte[len];
      for (int i = 0; i < len; i++) {
        b[i] = (byte) (i % 2 == 0 ? 0 : 0x7f);
      }
      assertThat(Ascii.asciiWithoutQuestionMark(b)).isTrue();
      for (int at = 0; at < len; at++) {
        for (byte v : new byte[] {'?', (byte) 0x80, (byte) 0xbf, (byte) 0xff}) {
          byte[] c = b.clone();
          c[at] = v;
          assertThat(Ascii.asciiWithoutQuestionMark(c))
              .as("len %d at %d value %d", len, at, v)
              .isFalse();
        }
        // neighbours of '?' (0x3e, 0x40) and bytes that borrow across ('>' after 0x00) are ASCII
        byte[] c = b.clone();
        c[at] = (byte) (at % 2 == 0 ? '>' : '@');
        assertThat(Ascii.asciiWithoutQuestionMark(c)).isTrue();
      }
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
