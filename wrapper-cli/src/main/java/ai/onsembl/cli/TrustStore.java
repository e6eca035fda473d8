package ai.onsembl.cli;

import ai.onsembl.wrapper.AgentExitException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * {@code --trust-store}: the certificates a {@code wss://} backend may present, from a PEM file
 * (one or more {@code -----BEGIN CERTIFICATE-----} blocks) or a PKCS12 store (password from {@code
 * ONSEMBL_TRUST_STORE_PASSWORD}, may be empty). Installed as the JVM's default TLS context, which
 * is what the WebSocket client uses for {@code wss://}; the host name is still verified.
 */
final class TrustStore {
  /** The environment variable holding a PKCS12 trust store's password. */
  static final String PASSWORD_ENV = "ONSEMBL_TRUST_STORE_PASSWORD";

  private TrustStore() {}

  /**
   * Makes {@code file} the trust anchors of every TLS connection of this JVM; exit 2 when it cannot
   * be read.
   */
  static void install(Path file, String password) {
    try {
      SSLContext ctx = SSLContext.getInstance("TLS");
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(load(file, password));
      ctx.init(null, tmf.getTrustManagers(), null);
      SSLContext.setDefault(ctx);
    } catch (IOException | GeneralSecurityException e) {
      throw AgentExitException.invalidInput(
          "--trust-store: cannot read " + file + ": " + e.getMessage());
    }
  }

  static KeyStore load(Path file, String password) throws IOException, GeneralSecurityException {
    byte[] bytes = Files.readAllBytes(file);
    KeyStore ks = KeyStore.getInstance("PKCS12");
    if (new String(bytes, StandardCharsets.US_ASCII).contains("-----BEGIN CERTIFICATE-----")) {
      ks.load(null, null);
      int i = 0;
      try (InputStream in = new ByteArrayInputStream(bytes)) {
        for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
          ks.setCertificateEntry("trusted-" + i++, c);
        }
      }
      if (i == 0) {
        throw new GeneralSecurityException("no certificate in the PEM file");
      }
      return ks;
    }
    try (InputStream in = new ByteArrayInputStream(bytes)) {
      ks.load(in, password == null ? new char[0] : password.toCharArray());
    }
    return ks;
  }
}
