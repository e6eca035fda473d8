package ai.onsembl.backend;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * Server-side TLS contexts for {@code wss://} and {@code https://}, from a certificate given by
 * path: a PKCS12 key store (certificate chain and private key), or PEM files (a certificate chain
 * and an unencrypted PKCS#8 private key, {@code -----BEGIN PRIVATE KEY-----}, RSA or EC).
 */
public final class TlsContexts {
  private static final Pattern PEM =
      Pattern.compile("-----BEGIN ([A-Z ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");

  private TlsContexts() {}

  /** From a PKCS12 file whose store and key share {@code password} (may be empty). */
  public static SSLContext fromPkcs12(Path file, char[] password) {
    try (InputStream in = Files.newInputStream(file)) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(in, password);
      return context(ks, password);
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "cannot read the PKCS12 key store " + file + ": " + e.getMessage(), e);
    }
  }

  /** From a PEM certificate chain and a PEM PKCS#8 private key (unencrypted). */
  public static SSLContext fromPem(Path certificateChain, Path privateKey) {
    try {
      List<Certificate> chain = new ArrayList<>();
      CertificateFactory cf = CertificateFactory.getInstance("X.509");
      for (byte[] der :
          blocks(Files.readString(certificateChain, StandardCharsets.US_ASCII), "CERTIFICATE")) {
        chain.add(cf.generateCertificate(new ByteArrayInputStream(der)));
      }
      if (chain.isEmpty()) {
        throw new IllegalArgumentException(
            "no -----BEGIN CERTIFICATE----- block in " + certificateChain);
      }
      List<byte[]> keys =
          blocks(Files.readString(privateKey, StandardCharsets.US_ASCII), "PRIVATE KEY");
      if (keys.isEmpty()) {
        throw new IllegalArgumentException(
            "no -----BEGIN PRIVATE KEY----- block (unencrypted PKCS#8) in " + privateKey);
      }
      PrivateKey key = privateKey(keys.get(0), chain.get(0).getPublicKey().getAlgorithm());
      char[] none = new char[0];
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, none);
      ks.setKeyEntry("server", key, none, chain.toArray(Certificate[]::new));
      return context(ks, none);
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "cannot read the PEM certificate "
              + certificateChain
              + " and key "
              + privateKey
              + ": "
              + e.getMessage(),
          e);
    }
  }

  private static PrivateKey privateKey(byte[] pkcs8, String algorithm)
      throws GeneralSecurityException {
    return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
  }

  private static List<byte[]> blocks(String pem, String label) {
    List<byte[]> out = new ArrayList<>();
    Matcher m = PEM.matcher(pem);
    while (m.find()) {
      if (m.group(1).equals(label)) {
        out.add(Base64.getMimeDecoder().decode(m.group(2)));
      }
    }
    return out;
  }

  private static SSLContext context(KeyStore ks, char[] password) throws GeneralSecurityException {
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, password);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), null, null);
    return ctx;
  }
}
