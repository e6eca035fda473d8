package ai.onsembl.protocol;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Word-at-a-time ASCII scans of byte arrays. Eight bytes per step through a byte-array view: under
 * C1 (the launcher's JVMs run C1 only) many times faster than a per-byte loop, which is what
 * terminal output at tens of MB/s pays for every byte it crosses.
 */
public final class Ascii {
  /** Eight bytes of a byte array as one little-endian long (also {@link OutputFrames}'). */
  static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  static final long HIGH_BITS = 0x8080808080808080L;
  private static final long LOW_BITS = 0x7f7f7f7f7f7f7f7fL;
  static final long ONES = 0x0101010101010101L;

  /**
   * Strings shorter than this are not worth probing for ASCII (one copy of their bytes); callers
   * count or encode them char by char.
   */
  public static final int PROBE_MIN_CHARS = 64;

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
   * The bytes of {@code s} when every char is ASCII, else null. One copy for a String the JVM
   * stores in Latin-1 (as ISO-8859-1, where a char above U+00FF would become {@code '?'}: each
   * {@code '?'} found is checked against the String), then a word-at-a-time scan.
   */
  public static byte[] bytesIfAscii(String s) {
    byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
    int i = 0;
    int end = b.length;
    long questionMarks = ONES * '?';
    for (; i + 8 <= end; i += 8) {
      long v = (long) LONGS.get(b, i);
      if ((v & HIGH_BITS) != 0) {
        return null;
      }
      if (zeroBytes(v ^ questionMarks) != 0) {
        for (int j = i; j < i + 8; j++) {
          if (b[j] == '?' && s.charAt(j) != '?') {
            return null;
          }
        }
      }
    }
    for (; i < end; i++) {
      if (b[i] < 0 || (b[i] == '?' && s.charAt(i) != '?')) {
        return null;
      }
    }
    return b;
  }

  /**
   * {@code s.getBytes(UTF_8)}, for a long ASCII String by {@link #bytesIfAscii} (under C1 the JDK's
   * own check for non-ASCII goes byte by byte).
   */
  public static byte[] utf8(String s) {
    byte[] ascii = s.length() >= PROBE_MIN_CHARS ? bytesIfAscii(s) : null;
    return ascii != null ? ascii : s.getBytes(StandardCharsets.UTF_8);
  }

  /** How many bytes of {@code b[off, end)} equal {@code value}. */
  public static int count(byte[] b, int off, int end, byte value) {
    long pattern = ONES * (value & 0xff);
    int n = 0;
    int i = off;
    for (; i + 8 <= end; i += 8) {
      n += Long.bitCount(zeroBytes((long) LONGS.get(b, i) ^ pattern));
    }
    for (; i < end; i++) {
      if (b[i] == value) {
        n++;
      }
    }
    return n;
  }

  /** True when a byte of {@code b[off, end)} equals {@code x} or {@code y}. */
  public static boolean containsEither(byte[] b, int off, int end, byte x, byte y) {
    long px = ONES * (x & 0xff);
    long py = ONES * (y & 0xff);
    int i = off;
    for (; i + 8 <= end; i += 8) {
      long v = (long) LONGS.get(b, i);
      if ((zeroBytes(v ^ px) | zeroBytes(v ^ py)) != 0) {
        return true;
      }
    }
    for (; i < end; i++) {
      if (b[i] == x || b[i] == y) {
        return true;
      }
    }
    return false;
  }

  /**
   * XORs {@code len} bytes of {@code in} from {@code inOff} with the WebSocket masking key {@code
   * key} (its four bytes big-endian, as on the wire) into {@code out} from {@code outOff}, eight
   * bytes a step; byte {@code i} is masked with key byte {@code i % 4}. {@code in} and {@code out}
   * may be the same array at the same offset (unmasking in place).
   */
  public static void xorMask(byte[] in, int inOff, byte[] out, int outOff, int len, int key) {
    // little-endian words put byte i of a word read at a multiple of 8 in bits 8 * (i % 8)
    long k = Integer.reverseBytes(key) & 0xffffffffL;
    long words = k | (k << 32);
    int i = 0;
    for (; i + 8 <= len; i += 8) {
      LONGS.set(out, outOff + i, (long) LONGS.get(in, inOff + i) ^ words);
    }
    for (; i < len; i++) {
      out[outOff + i] = (byte) (in[inOff + i] ^ (key >>> (24 - 8 * (i & 3))));
    }
  }

  /** The high bit of each byte of {@code v} that is zero, and no other bit (no borrows). */
  private static long zeroBytes(long v) {
    return ~(((v & LOW_BITS) + LOW_BITS) | v | LOW_BITS);
  }
}
