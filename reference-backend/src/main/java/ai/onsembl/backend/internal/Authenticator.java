package ai.onsembl.backend.internal;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.AlgorithmMismatchException;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.exceptions.SignatureVerificationException;
import com.auth0.jwt.exceptions.TokenExpiredException;
import com.auth0.jwt.interfaces.DecodedJWT;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Set;

/**
 * Decides whether a token opens an agent or a dashboard connection: a static token of that role, or
 * an HS256 JWT (signature and {@code exp} checked by java-jwt; {@code alg: none} and other
 * algorithms are refused). A JWT whose {@code type} claim is {@code cli} or {@code agent} is an
 * agent token (the TypeScript backend issues {@code type: "cli"}); any other JWT is a dashboard
 * token. An agent JWT whose {@code agentId} (or {@code agentIds}) claim names agent ids may connect
 * only as those; so may a token of the bound agent tokens ({@code --agent-tokens FILE}).
 */
public final class Authenticator {
  /** Who a credential is for. */
  public enum Role {
    AGENT,
    DASHBOARD
  }

  /** The answer: accepted with a subject, or refused with a reason safe to log and send. */
  public record Result(boolean accepted, String subject, String reason, Set<String> agentIds) {
    static Result ok(String subject) {
      return new Result(true, subject, null, null);
    }

    /** Accepted for an agent connection that may only use these agent ids. */
    static Result okAs(String subject, Set<String> agentIds) {
      return new Result(true, subject, null, agentIds);
    }

    static Result refused(String reason) {
      return new Result(false, null, reason, null);
    }

    /** Whether this credential may connect as {@code agentId} (any id when it names none). */
    public boolean allowsAgent(String agentId) {
      return agentIds == null || agentIds.contains(ANY_AGENT) || agentIds.contains(agentId);
    }
  }

  /** In a bound token's set of agent ids: any id. */
  public static final String ANY_AGENT = "*";

  /** HS256 keys shorter than this are accepted, with a warning at startup. */
  public static final int RECOMMENDED_SECRET_BYTES = 32;

  private final byte[] agentToken;
  private final byte[] dashboardToken;
  private final JWTVerifier verifier;

  /**
   * Verifies device-login tokens signed with the key kept in the database (only when there is no
   * JWT secret).
   */
  private final JWTVerifier deviceVerifier;

  /** Agent tokens bound to the agent ids each may use. */
  private final Map<String, Set<String>> agentTokens;

  public Authenticator(String agentToken, String dashboardToken, String jwtSecret) {
    this(agentToken, dashboardToken, jwtSecret, null);
  }

  /**
   * @param deviceKey the key device-login tokens are signed with when it is not {@code jwtSecret},
   *     or null; it opens agent connections only
   */
  public Authenticator(
      String agentToken, String dashboardToken, String jwtSecret, String deviceKey) {
    this(agentToken, dashboardToken, jwtSecret, deviceKey, Map.of());
  }

  /** As above, with agent tokens bound to agent ids ({@code --agent-tokens FILE}). */
  public Authenticator(
      String agentToken,
      String dashboardToken,
      String jwtSecret,
      String deviceKey,
      Map<String, Set<String>> agentTokens) {
    this.agentTokens = Map.copyOf(agentTokens);
    this.agentToken = bytes(agentToken);
    this.dashboardToken = bytes(dashboardToken);
    this.verifier = jwtSecret == null ? null : JWT.require(Algorithm.HMAC256(jwtSecret)).build();
    this.deviceVerifier =
        deviceKey == null || deviceKey.equals(jwtSecret)
            ? null
            : JWT.require(Algorithm.HMAC256(deviceKey))
                .withClaim("type", DeviceAuth.TOKEN_TYPE)
                .build();
  }

  /** Whether {@code secret} is shorter than HS256 wants. */
  public static boolean isShortSecret(String secret) {
    return secret != null
        && secret.getBytes(StandardCharsets.UTF_8).length < RECOMMENDED_SECRET_BYTES;
  }

  public Result check(Role role, String token) {
    if (token == null || token.isEmpty()) {
      return Result.refused("Missing authentication token");
    }
    byte[] given = token.getBytes(StandardCharsets.UTF_8);
    byte[] own = role == Role.AGENT ? agentToken : dashboardToken;
    byte[] other = role == Role.AGENT ? dashboardToken : agentToken;
    if (own != null && MessageDigest.isEqual(own, given)) {
      return Result.ok(role == Role.AGENT ? "agent-token" : "dashboard-token");
    }
    Set<String> bound = boundIds(given);
    if (bound != null) {
      return role == Role.AGENT
          ? Result.okAs("bound-agent-token", bound)
          : Result.refused("An agent token cannot open a dashboard connection");
    }
    if (other != null && MessageDigest.isEqual(other, given)) {
      return Result.refused(
          role == Role.AGENT
              ? "A dashboard token cannot open an agent connection"
              : "An agent token cannot open a dashboard connection");
    }
    if ((verifier != null || deviceVerifier != null)
        && token.chars().filter(ch -> ch == '.').count() == 2) {
      return checkJwt(role, token);
    }
    return Result.refused("Invalid authentication token");
  }

  private Result checkJwt(Role role, String token) {
    DecodedJWT jwt;
    try {
      jwt = verify(token);
    } catch (TokenExpiredException e) {
      return Result.refused("JWT expired");
    } catch (AlgorithmMismatchException e) {
      return Result.refused("JWT algorithm not accepted: expected HS256");
    } catch (SignatureVerificationException e) {
      return Result.refused("JWT signature invalid");
    } catch (JWTVerificationException e) {
      return Result.refused("JWT invalid: " + e.getClass().getSimpleName());
    }
    if (jwt.getExpiresAt() == null) {
      return Result.refused("JWT without exp claim");
    }
    String type = jwt.getClaim("type").asString();
    boolean agentJwt = "cli".equals(type) || "agent".equals(type);
    if (agentJwt != (role == Role.AGENT)) {
      return Result.refused(
          role == Role.AGENT
              ? "JWT of type "
                  + type
                  + " cannot open an agent connection (expected type cli or agent)"
              : "JWT of type " + type + " cannot open a dashboard connection");
    }
    String subject = jwt.getSubject() == null ? "jwt" : jwt.getSubject();
    if (role == Role.AGENT) {
      Set<String> ids = agentIdClaims(jwt);
      if (ids != null) {
        return ids.isEmpty()
            ? Result.refused("JWT agentId claim is empty: expected an agent id")
            : Result.okAs(subject, ids);
      }
    }
    return Result.ok(subject);
  }

  /**
   * The agent ids a JWT names: its {@code agentId} claim (a string) and/or {@code agentIds} (an
   * array of strings); null when it names none.
   */
  private static Set<String> agentIdClaims(DecodedJWT jwt) {
    java.util.LinkedHashSet<String> ids = null;
    String one = jwt.getClaim("agentId").asString();
    if (!jwt.getClaim("agentId").isMissing() && !jwt.getClaim("agentId").isNull()) {
      ids = new java.util.LinkedHashSet<>();
      if (one != null && !one.isBlank()) {
        ids.add(one);
      }
    }
    if (!jwt.getClaim("agentIds").isMissing() && !jwt.getClaim("agentIds").isNull()) {
      ids = ids == null ? new java.util.LinkedHashSet<>() : ids;
      java.util.List<String> many = jwt.getClaim("agentIds").asList(String.class);
      if (many != null) {
        many.stream().filter(id -> id != null && !id.isBlank()).forEach(ids::add);
      }
    }
    return ids == null ? null : Set.copyOf(ids);
  }

  /**
   * The ids a bound agent token may use, comparing every bound token in constant time; null when
   * none.
   */
  private Set<String> boundIds(byte[] given) {
    Set<String> found = null;
    for (Map.Entry<String, Set<String>> e : agentTokens.entrySet()) {
      if (MessageDigest.isEqual(e.getKey().getBytes(StandardCharsets.UTF_8), given)) {
        found = e.getValue();
      }
    }
    return found;
  }

  private DecodedJWT verify(String token) {
    if (verifier == null) {
      return deviceVerifier.verify(token);
    }
    try {
      return verifier.verify(token);
    } catch (SignatureVerificationException e) {
      if (deviceVerifier == null) {
        throw e;
      }
      return deviceVerifier.verify(token);
    }
  }

  private static byte[] bytes(String s) {
    return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
  }
}
