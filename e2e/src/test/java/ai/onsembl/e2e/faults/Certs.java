package ai.onsembl.e2e.faults;

import ai.onsembl.wrapper.testing.RunningProcess;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed certificate for 127.0.0.1 made by the JDK's keytool, in every form the TLS tests
 * need: the server's PKCS12 store, its certificate and key as PEM, and a PKCS12 trust store holding
 * the certificate.
 */
record Certs(
    Path serverP12,
    String serverPassword,
    Path certPem,
    Path keyPem,
    Path trustP12,
    String trustPassword) {

  static Certs create(Path dir) throws Exception {
    Path p12 = dir.resolve("server.p12");
    Path pem = dir.resolve("server.pem");
    Path key = dir.resolve("server.key");
    Path trust = dir.resolve("trust.p12");
    String pw = "server-store-pass";
    String tpw = "trust-store-pass";
    keytool(
        "-genkeypair",
        "-alias",
        "backend",
        "-keyalg",
        "RSA",
        "-keysize",
        "2048",
        "-dname",
        "CN=127.0.0.1",
        "-ext",
        "SAN=ip:127.0.0.1,dns:localhost",
        "-validity",
        "2",
        "-storetype",
        "PKCS12",
        "-keystore",
        p12.toString(),
        "-storepass",
        pw,
        "-keypass",
        pw);
    keytool(
        "-exportcert",
        "-rfc",
        "-alias",
        "backend",
        "-keystore",
        p12.toString(),
        "-storepass",
        pw,
        "-file",
        pem.toString());
    keytool(
        "-importcert",
        "-noprompt",
        "-alias",
        "backend",
        "-file",
        pem.toString(),
        "-keystore",
        trust.toString(),
        "-storetype",
        "PKCS12",
        "-storepass",
        tpw);
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(p12)) {
      ks.load(in, pw.toCharArray());
    }
    Key k = ks.getKey("backend", pw.toCharArray()); // PKCS#8 encoded
    Files.writeString(
        key,
        "-----BEGIN PRIVATE KEY-----\n"
            + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(k.getEncoded())
            + "\n-----END PRIVATE KEY-----\n");
    return new Certs(p12, pw, pem, key, trust, tpw);
  }

  /** A client context that trusts exactly this certificate. */
  SSLContext clientContext() throws IOException, GeneralSecurityException {
    KeyStore ts = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(trustP12)) {
      ts.load(in, trustPassword.toCharArray());
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ts);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }

  private static void keytool(String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    cmd.addAll(List.of(args));
    RunningProcess.run("keytool", Duration.ofSeconds(60), cmd.toArray(String[]::new));
  }
}
