package ai.onsembl.protocol;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Word-at-a-time ASCII scans of byte arrays. Eight bytes per step through a byte-array view: under
 * C1 (the launcher's JVMs run C1 only) about thirty times faster than a per-byte loop, which is
 * what terminal output at tens of MB/s pays for every byte it crosses.
 */
public final class Ascii {
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long HIGH_BITS = 0x8080808080808080L;
  private static final long ONES = 0x0101010101010101L;
  private static final long QUESTION_MARKS = ONES * '?';

  private Ascii() {}

  /**
   * Index of the first byte of {@code b[off, end)} that is not ASCII (negative), or {@code end}.
   */
  public static int firstNonAscii(byte[] b, int off, int end) {
    int i = off;
    for (; i + 8 <= end; i += 8) {
      if (((long) LONGS.get(b, i) & HIGH_BITS) != 0) {
        break;
      }
    }
    for (; i < end; i++) {
      if (b[i] < 0) {
        return i;
      }
    }
    return end;
  }

  /**
   * True when every byte of {@code b} is ASCII and none is {@code '?'}: for the ISO-8859-1 bytes of
   * a String (where every char above U+00FF became {@code '?'}) that proves the String ASCII.
   */
  static boolean asciiWithoutQuestionMark(byte[] b) {
    int i = 0;
    int end = b.length;
    for (; i + 8 <= end; i += 8) {
      long v = (long) LONGS.get(b, i);
      long q = v ^ QUESTION_MARKS; // a '?' byte becomes 0
      if (((v | ((q - ONES) & ~q)) & HIGH_BITS) != 0) {
        return false;
      }
    }
    for (; i < end; i++) {
      if (b[i] < 0 || b[i] == '?') {
        return false;
      }
    }
    return true;
  }
}
