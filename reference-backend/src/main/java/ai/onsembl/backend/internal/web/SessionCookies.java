package ai.onsembl.backend.internal.web;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signed, stateless dashboard session cookies.
 *
 * <p>The value is {@code v1.<expiresEpochSeconds>.<nonce>.<hmac>}. The MAC key is derived from the
 * backend's dashboard secret (its token), so a session survives a backend restart — an open /agents
 * page reconnects without signing in again — and rotating the token ends every session at once.
 * Signing out revokes the session on the server: its nonce is kept in {@link Revocations} (the
 * backend's store) until the session would have expired.
 */
public final class SessionCookies {

  /** The cookie's default name; {@link DashboardWeb} adds the HTTP port (see {@link #named}). */
  public static final String NAME = "onsembl_session";

  private static final String VERSION = "v1";
  private static final String HMAC = "HmacSHA256";
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getUrlDecoder();

  private final String name;
  private final byte[] key;
  private final Duration lifetime;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();
  private final Revocations revocations;

  /** Sessions signed out before they expired, by nonce. */
  public interface Revocations {
    boolean isRevoked(String nonce);

    /**
     * Remembers {@code nonce} as signed out until {@code expiresEpochSeconds}, when the session
     * ends anyway.
     */
    void revoke(String nonce, long expiresEpochSeconds);

    /** Kept in memory only: a restart forgets them. */
    static Revocations inMemory() {
      java.util.Map<String, Long> revoked = new java.util.concurrent.ConcurrentHashMap<>();
      return new Revocations() {
        @Override
        public boolean isRevoked(String nonce) {
          return revoked.containsKey(nonce);
        }

        @Override
        public void revoke(String nonce, long expiresEpochSeconds) {
          long now = java.time.Instant.now().getEpochSecond();
          revoked.values().removeIf(e -> e < now);
          revoked.put(nonce, expiresEpochSeconds);
        }
      };
    }
  }

  /**
   * @param secret the dashboard secret (e.g. the dashboard token's bytes); never stored as such
   * @param lifetime how long a session is valid after sign-in
   * @param clock the time source
   */
  public SessionCookies(byte[] secret, Duration lifetime, Clock clock) {
    Objects.requireNonNull(secret, "secret");
    if (secret.length == 0) {
      throw new IllegalArgumentException("the session secret must not be empty");
    }
    if (lifetime.isNegative() || lifetime.isZero()) {
      throw new IllegalArgumentException("lifetime must be positive, got " + lifetime);
    }
    // Key separation: the MAC key is not the token itself.
    this.key = hmac(secret, "onsembl dashboard session key v1".getBytes(StandardCharsets.UTF_8));
    this.lifetime = lifetime;
    this.clock = Objects.requireNonNull(clock, "clock");
    this.name = NAME;
    this.revocations = Revocations.inMemory();
  }

  private SessionCookies(
      String name, byte[] key, Duration lifetime, Clock clock, Revocations revocations) {
    this.name = name;
    this.key = key;
    this.lifetime = lifetime;
    this.clock = clock;
    this.revocations = revocations;
  }

  /** The same sessions, with sign-outs kept in {@code store}. */
  public SessionCookies withRevocations(Revocations store) {
    return new SessionCookies(name, key, lifetime, clock, Objects.requireNonNull(store, "store"));
  }

  /**
   * The same sessions under another cookie name. Browsers keep cookies per host, not per port: two
   * backends on one host (the demo and a test backend, say) would overwrite each other's cookie
   * under one name and sign each other's pages out.
   */
  public SessionCookies named(String cookieName) {
    if (!cookieName.matches("[A-Za-z0-9_]{1,64}")) {
      throw new IllegalArgumentException(
          "cookie name must be 1-64 of [A-Za-z0-9_], got '" + cookieName + "'");
    }
    return new SessionCookies(cookieName, key, lifetime, clock, revocations);
  }

  /** The cookie's name. */
  public String name() {
    return name;
  }

  /** How long a new session lasts. */
  public Duration lifetime() {
    return lifetime;
  }

  /** A new signed session value. */
  public String issue() {
    long expires = clock.instant().plus(lifetime).getEpochSecond();
    byte[] nonce = new byte[12];
    random.nextBytes(nonce);
    String body = VERSION + "." + expires + "." + B64.encodeToString(nonce);
    return body + "." + B64.encodeToString(hmac(key, body.getBytes(StandardCharsets.US_ASCII)));
  }

  /** True when {@code value} was issued with this secret and has not expired. */
  public boolean isValid(String value) {
    if (value == null || value.length() > 200) {
      return false;
    }
    int lastDot = value.lastIndexOf('.');
    if (lastDot <= 0) {
      return false;
    }
    String body = value.substring(0, lastDot);
    String[] parts = body.split("\\.", -1);
    if (parts.length != 3 || !VERSION.equals(parts[0])) {
      return false;
    }
    byte[] mac;
    long expires;
    try {
      mac = B64D.decode(value.substring(lastDot + 1));
      expires = Long.parseLong(parts[1]);
    } catch (IllegalArgumentException e) {
      return false;
    }
    byte[] expected = hmac(key, body.getBytes(StandardCharsets.US_ASCII));
    return MessageDigest.isEqual(expected, mac)
        && clock.instant().getEpochSecond() < expires
        && !revocations.isRevoked(parts[2]);
  }

  /** Signs a session out on the server: a valid {@code value} is never accepted again. */
  public void revoke(String value) {
    if (isValid(value)) {
      String[] parts = value.split("\\.", -1);
      revocations.revoke(parts[2], Long.parseLong(parts[1]));
    }
  }

  /** True when a {@code Cookie} request header carries a valid session. */
  public boolean isValidHeader(String cookieHeader) {
    return isValid(valueFrom(cookieHeader));
  }

  /** The session value in a {@code Cookie} request header, or null. */
  String valueFrom(String cookieHeader) {
    if (cookieHeader == null) {
      return null;
    }
    for (String pair : cookieHeader.split(";")) {
      int eq = pair.indexOf('=');
      if (eq > 0 && pair.substring(0, eq).trim().equals(name)) {
        return pair.substring(eq + 1).trim();
      }
    }
    return null;
  }

  /** The {@code Set-Cookie} header that starts a session. */
  public String setCookieHeader(String value, boolean secure) {
    return name
        + "="
        + value
        + "; Path=/; Max-Age="
        + lifetime.toSeconds()
        + "; HttpOnly; SameSite=Strict"
        + (secure ? "; Secure" : "");
  }

  /** The {@code Set-Cookie} header that ends a session in the browser. */
  public String clearCookieHeader(boolean secure) {
    return name + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "");
  }

  private static byte[] hmac(byte[] key, byte[] data) {
    try {
      Mac mac = Mac.getInstance(HMAC);
      mac.init(new SecretKeySpec(key, HMAC));
      return mac.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }
}
