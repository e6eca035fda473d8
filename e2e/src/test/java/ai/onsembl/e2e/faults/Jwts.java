package ai.onsembl.e2e.faults;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** HS256 JWTs built by hand (and the {@code alg: none} kind no library will sign). */
final class Jwts {
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private Jwts() {}

  static String hs256(String secret, String type, long expEpochSeconds) {
    String signingInput =
        part("{\"alg\":\"HS256\",\"typ\":\"JWT\"}") + "." + part(claims(type, expEpochSeconds));
    return signingInput + "." + B64.encodeToString(hmac(secret, signingInput));
  }

  static String algNone(String type, long expEpochSeconds) {
    return part("{\"alg\":\"none\",\"typ\":\"JWT\"}")
        + "."
        + part(claims(type, expEpochSeconds))
        + ".";
  }

  private static String claims(String type, long exp) {
    return "{\"sub\":\"e2e-user\",\"type\":\"" + type + "\",\"exp\":" + exp + "}";
  }

  private static String part(String json) {
    return B64.encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] hmac(String secret, String input) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return mac.doFinal(input.getBytes(StandardCharsets.US_ASCII));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
