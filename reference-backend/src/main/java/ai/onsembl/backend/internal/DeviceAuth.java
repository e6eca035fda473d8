package ai.onsembl.backend.internal;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;

/**
 * The OAuth 2.0 device authorization grant (RFC 8628) as the Onsembl backend offers it to its CLI:
 * device codes (10 minutes, persisted in SQLite so a restart keeps a pending login), approval by a
 * signed-in dashboard user, HS256 access tokens of {@code type: "cli"} (accepted on {@code
 * /ws/agent}) and refresh tokens rotated on every use. Only SHA-256 hashes of device codes and
 * refresh tokens are stored.
 *
 * <p>Tokens are signed with the JWT secret when the backend has one, else with a key generated once
 * and kept in the database (so a restart on the same database keeps logins valid).
 */
public final class DeviceAuth {
  /** How long a device code and its user code stay valid. */
  public static final Duration CODE_TTL = Duration.ofMinutes(10);

  /** The poll interval the backend asks for; polling faster gets {@code slow_down}. */
  public static final int INTERVAL_SECONDS = 5;

  /** How long a refresh token stays valid when unused. */
  public static final Duration REFRESH_TTL = Duration.ofDays(30);

  /** The token type claim the agent endpoint accepts (the TypeScript backend's CLI tokens). */
  public static final String TOKEN_TYPE = "cli";

  private static final String KEY_SETTING = "device_jwt_key";
  private static final String USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ";
  private static final SecureRandom RANDOM = new SecureRandom();

  /** A new device authorization. */
  public record Authorization(String deviceCode, String userCode, long expiresIn, int interval) {}

  /** An issued token pair. */
  public record Tokens(
      String accessToken, String refreshToken, long expiresIn, String scope, String userId) {}

  /**
   * The outcome of a poll, a confirmation or a refresh: tokens (for polls and refreshes), or an
   * error code.
   */
  public record Result(Tokens tokens, String error, String description) {
    static Result ok(Tokens t) {
      return new Result(t, null, null);
    }

    static Result error(String error, String description) {
      return new Result(null, error, description);
    }

    public boolean isOk() {
      return error == null;
    }
  }

  private final Database db;
  private final Algorithm algorithm;
  private final String signingKey;
  private final Duration accessTtl;
  private final Clock clock;

  /**
   * @param jwtSecret the backend's JWT secret, or null to use (and on first start generate) a key
   *     kept in the database
   */
  public DeviceAuth(Database db, String jwtSecret, Duration accessTtl, Clock clock) {
    this.db = db;
    this.accessTtl = accessTtl;
    this.clock = clock;
    this.signingKey = jwtSecret != null ? jwtSecret : storedKey(db);
    this.algorithm = Algorithm.HMAC256(signingKey);
  }

  /** The HS256 key device tokens are signed with (the verifier of {@code /ws/agent} needs it). */
  public String signingKey() {
    return signingKey;
  }

  private static String storedKey(Database db) {
    return db.tx(
        c -> {
          try (PreparedStatement s =
              c.prepareStatement("SELECT value FROM backend_settings WHERE name = ?")) {
            s.setString(1, KEY_SETTING);
            try (ResultSet rs = s.executeQuery()) {
              if (rs.next()) {
                return rs.getString(1);
              }
            }
          }
          byte[] bytes = new byte[32];
          RANDOM.nextBytes(bytes);
          String key = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
          try (PreparedStatement s =
              c.prepareStatement("INSERT INTO backend_settings (name, value) VALUES (?, ?)")) {
            s.setString(1, KEY_SETTING);
            s.setString(2, key);
            s.executeUpdate();
          }
          return key;
        });
  }

  /** A new device code and user code for {@code clientId}. */
  public Authorization authorize(String clientId, String scope) {
    String deviceCode = random(32);
    long now = clock.millis();
    String userCode =
        db.tx(
            c -> {
              for (int attempt = 0; ; attempt++) {
                String code = userCode();
                try (PreparedStatement s =
                    c.prepareStatement(
                        "INSERT OR IGNORE INTO device_codes (device_code_hash,"
                            + " user_code, client_id, scope, created_at, expires_at, interval_s) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                  s.setString(1, hash(deviceCode));
                  s.setString(2, code);
                  s.setString(3, clientId);
                  s.setString(4, scope);
                  s.setLong(5, now);
                  s.setLong(6, now + CODE_TTL.toMillis());
                  s.setInt(7, INTERVAL_SECONDS);
                  if (s.executeUpdate() == 1) {
                    return code;
                  }
                }
                if (attempt > 20) {
                  throw new IllegalStateException("cannot find a free user code");
                }
              }
            });
    return new Authorization(deviceCode, userCode, CODE_TTL.toSeconds(), INTERVAL_SECONDS);
  }

  /**
   * A signed-in user approves the device showing {@code userCode} (case and dashes optional).
   * Errors: {@code invalid_user_code} (no such code, or already used), {@code expired_token}.
   */
  public Result confirm(String userCode, String userId) {
    String code = normalizeUserCode(userCode);
    long now = clock.millis();
    return db.tx(
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "SELECT expires_at, approved_by, consumed FROM device_codes WHERE user_code = ?")) {
            s.setString(1, code);
            try (ResultSet rs = s.executeQuery()) {
              if (!rs.next() || rs.getInt(3) != 0 || rs.getString(2) != null) {
                return Result.error(
                    "invalid_user_code", "no pending device login with the code " + userCode);
              }
              if (rs.getLong(1) <= now) {
                return Result.error(
                    "expired_token",
                    "the code " + userCode + " has expired; start the login again");
              }
            }
          }
          try (PreparedStatement s =
              c.prepareStatement(
                  "UPDATE device_codes SET approved_by = ?, approved_at = ? WHERE user_code = ?")) {
            s.setString(1, userId);
            s.setLong(2, now);
            s.setString(3, code);
            s.executeUpdate();
          }
          return Result.ok(null);
        });
  }

  /**
   * The device's poll. Errors as RFC 8628 names them: {@code authorization_pending}, {@code
   * slow_down} (polled sooner than the interval; the interval grows by 5 s), {@code expired_token},
   * {@code invalid_grant} (unknown or already exchanged code).
   */
  public Result poll(String deviceCode) {
    long now = clock.millis();
    String h = hash(deviceCode);
    return db.tx(
        c -> {
          long expiresAt;
          String approvedBy;
          String scope;
          int interval;
          long lastPoll;
          try (PreparedStatement s =
              c.prepareStatement(
                  "SELECT expires_at, approved_by, scope, interval_s, last_poll,"
                      + " consumed FROM device_codes WHERE device_code_hash = ?")) {
            s.setString(1, h);
            try (ResultSet rs = s.executeQuery()) {
              if (!rs.next() || rs.getInt(6) != 0) {
                return Result.error("invalid_grant", "unknown or already used device code");
              }
              expiresAt = rs.getLong(1);
              approvedBy = rs.getString(2);
              scope = rs.getString(3);
              interval = rs.getInt(4);
              lastPoll = rs.getLong(5);
            }
          }
          if (expiresAt <= now) {
            return Result.error(
                "expired_token", "the device code has expired; start the login again");
          }
          if (approvedBy == null) {
            boolean tooSoon = lastPoll > 0 && now - lastPoll < interval * 1000L;
            try (PreparedStatement s =
                c.prepareStatement(
                    "UPDATE device_codes SET last_poll = ?, interval_s = ? WHERE device_code_hash = ?")) {
              s.setLong(1, now);
              s.setInt(2, tooSoon ? interval + 5 : interval);
              s.setString(3, h);
              s.executeUpdate();
            }
            return tooSoon
                ? Result.error(
                    "slow_down",
                    "polled sooner than every "
                        + interval
                        + " s; poll every "
                        + (interval + 5)
                        + " s")
                : Result.error(
                    "authorization_pending", "waiting for a signed-in user to confirm the code");
          }
          try (PreparedStatement s =
              c.prepareStatement(
                  "UPDATE device_codes SET consumed = 1 WHERE device_code_hash = ?")) {
            s.setString(1, h);
            s.executeUpdate();
          }
          return Result.ok(issue(c, approvedBy, scope, now));
        });
  }

  /**
   * Exchanges a refresh token for a new pair; the old refresh token is spent. Error: {@code
   * invalid_grant}.
   */
  public Result refresh(String refreshToken) {
    long now = clock.millis();
    String h = hash(refreshToken);
    return db.tx(
        c -> {
          String userId;
          String scope;
          try (PreparedStatement s =
              c.prepareStatement(
                  "SELECT user_id, scope, expires_at, used_at FROM refresh_tokens WHERE token_hash = ?")) {
            s.setString(1, h);
            try (ResultSet rs = s.executeQuery()) {
              if (!rs.next()) {
                return Result.error("invalid_grant", "unknown refresh token");
              }
              if (rs.getObject(4) != null) {
                return Result.error(
                    "invalid_grant",
                    "refresh token already used (refresh tokens are rotated on use)");
              }
              if (rs.getLong(3) <= now) {
                return Result.error("invalid_grant", "refresh token expired");
              }
              userId = rs.getString(1);
              scope = rs.getString(2);
            }
          }
          try (PreparedStatement s =
              c.prepareStatement("UPDATE refresh_tokens SET used_at = ? WHERE token_hash = ?")) {
            s.setLong(1, now);
            s.setString(2, h);
            s.executeUpdate();
          }
          return Result.ok(issue(c, userId, scope, now));
        });
  }

  private Tokens issue(java.sql.Connection c, String userId, String scope, long now)
      throws java.sql.SQLException {
    String access =
        JWT.create()
            .withSubject(userId)
            .withClaim("type", TOKEN_TYPE)
            .withClaim("scope", scope)
            .withIssuedAt(new java.util.Date(now))
            .withExpiresAt(new java.util.Date(now + accessTtl.toMillis()))
            .withJWTId(random(12))
            .sign(algorithm);
    String refresh = random(32);
    try (PreparedStatement s =
        c.prepareStatement(
            "INSERT INTO refresh_tokens (token_hash, user_id, scope,"
                + " created_at, expires_at) VALUES (?, ?, ?, ?, ?)")) {
      s.setString(1, hash(refresh));
      s.setString(2, userId);
      s.setString(3, scope);
      s.setLong(4, now);
      s.setLong(5, now + REFRESH_TTL.toMillis());
      s.executeUpdate();
    }
    return new Tokens(access, refresh, accessTtl.toSeconds(), scope, userId);
  }

  /** {@code abcd-efgh}, {@code ABCDEFGH} and {@code ABCD EFGH} all mean {@code ABCD-EFGH}. */
  static String normalizeUserCode(String code) {
    String s = code == null ? "" : code.replaceAll("[\\s-]", "").toUpperCase(Locale.ROOT);
    return s.length() == 8 ? s.substring(0, 4) + "-" + s.substring(4) : s;
  }

  private static String userCode() {
    StringBuilder b = new StringBuilder(9);
    for (int i = 0; i < 8; i++) {
      if (i == 4) {
        b.append('-');
      }
      b.append(USER_CODE_ALPHABET.charAt(RANDOM.nextInt(USER_CODE_ALPHABET.length())));
    }
    return b.toString();
  }

  private static String random(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  static String hash(String secret) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256")
                  .digest((secret == null ? "" : secret).getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
