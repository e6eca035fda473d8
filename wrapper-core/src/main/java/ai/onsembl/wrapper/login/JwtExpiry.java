package ai.onsembl.wrapper.login;

import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/** The {@code exp} claim of a JWT, read without verifying it (only to know when to refresh). */
final class JwtExpiry {
  private JwtExpiry() {}

  static Optional<Instant> of(String token) {
    if (token == null) {
      return Optional.empty();
    }
    String[] parts = token.split("\\.");
    if (parts.length != 3) {
      return Optional.empty();
    }
    try {
      Map<String, Object> claims = FlatJson.parse(Base64.getUrlDecoder().decode(parts[1]));
      Object exp = claims.get("exp");
      return exp instanceof Number n
          ? Optional.of(Instant.ofEpochSecond(n.longValue()))
          : Optional.empty();
    } catch (Exception e) {
      return Optional.empty();
    }
  }
}
