package ai.onsembl.backend.internal.web;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One-time login codes for links such as {@code http://HOST:PORT/login?code=...}.
 *
 * <p>A code works once and only until it expires, so a link left in terminal scrollback or shell
 * history is worthless after it was used. At most {@link #MAX_OUTSTANDING} codes are kept; issuing
 * more forgets the oldest. Thread-safe.
 */
public final class LoginCodes {

  /** Codes kept at once; the oldest is dropped beyond this. */
  public static final int MAX_OUTSTANDING = 32;

  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private final Duration ttl;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();
  private final Map<String, Instant> expiries = new LinkedHashMap<>();

  /**
   * @param ttl how long an unused code stays valid
   * @param clock the time source
   */
  public LoginCodes(Duration ttl, Clock clock) {
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("ttl must be positive, got " + ttl);
    }
    this.ttl = ttl;
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** A new code (256 random bits, URL-safe). */
  public synchronized String issue() {
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    String code = B64.encodeToString(bytes);
    expiries.put(code, clock.instant().plus(ttl));
    Iterator<String> oldest = expiries.keySet().iterator();
    while (expiries.size() > MAX_OUTSTANDING) {
      oldest.next();
      oldest.remove();
    }
    return code;
  }

  /** True, once, for a code that was issued and has not expired; the code is gone afterwards. */
  public synchronized boolean consume(String code) {
    if (code == null) {
      return false;
    }
    Instant expiry = expiries.remove(code);
    return expiry != null && clock.instant().isBefore(expiry);
  }
}
