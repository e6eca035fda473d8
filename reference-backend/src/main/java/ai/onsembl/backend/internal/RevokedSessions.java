package ai.onsembl.backend.internal;

import ai.onsembl.backend.internal.web.SessionCookies;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Signed-out page sessions, in the {@code revoked_sessions} table so a sign-out outlives a restart
 * (the session cookies themselves do). Read from memory; each sign-out is written through and drops
 * the rows whose sessions have expired anyway.
 */
final class RevokedSessions implements SessionCookies.Revocations {
  private final Database db;
  private final Map<String, Long> revoked = new ConcurrentHashMap<>();

  RevokedSessions(Database db) {
    this.db = db;
    long now = Instant.now().getEpochSecond();
    db.read(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT nonce, expires_at FROM revoked_sessions WHERE expires_at>?")) {
            ps.setLong(1, now);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                revoked.put(rs.getString(1), rs.getLong(2));
              }
            }
          }
          return null;
        });
  }

  @Override
  public boolean isRevoked(String nonce) {
    return revoked.containsKey(nonce);
  }

  @Override
  public void revoke(String nonce, long expiresEpochSeconds) {
    long now = Instant.now().getEpochSecond();
    revoked.put(nonce, expiresEpochSeconds);
    revoked.values().removeIf(e -> e <= now);
    db.tx(
        c -> {
          try (PreparedStatement del =
                  c.prepareStatement("DELETE FROM revoked_sessions WHERE expires_at<=?");
              PreparedStatement ins =
                  c.prepareStatement(
                      "INSERT OR REPLACE INTO revoked_sessions (nonce, expires_at) VALUES (?,?)")) {
            del.setLong(1, now);
            del.executeUpdate();
            ins.setString(1, nonce);
            ins.setLong(2, expiresEpochSeconds);
            ins.executeUpdate();
          }
          return null;
        });
  }
}
