package ai.onsembl.backend;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onsembl.testing.ProtocolClient;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code wss://} and {@code https://} with a certificate by path (PKCS12, or PEM certificate +
 * key).
 */
@Timeout(60)
class TlsTest {
  private static final String PASSWORD = "tls-test-pass";
  @TempDir Path dir;

  @Test
  void pkcs12CertificateServesWssAgentsAndHttpsRest() throws Exception {
    Path p12 = keyStore();
    SSLContext server = TlsContexts.fromPkcs12(p12, PASSWORD.toCharArray());
    assertServes(server, trusting(p12));
  }

  @Test
  void pemCertificateAndKeyServeWssAgentsAndHttpsRest() throws Exception {
    Path p12 = keyStore();
    KeyStore ks = load(p12);
    Certificate cert = ks.getCertificate("backend");
    Key key = ks.getKey("backend", PASSWORD.toCharArray());
    Path certPem = dir.resolve("cert.pem");
    Path keyPem = dir.resolve("key.pem");
    Files.writeString(certPem, pem("CERTIFICATE", cert.getEncoded()));
    Files.writeString(keyPem, pem("PRIVATE KEY", key.getEncoded()));
    assertServes(TlsContexts.fromPem(certPem, keyPem), trusting(p12));
  }

  private void assertServes(SSLContext server, SSLContext client) throws Exception {
    try (ReferenceBackend backend =
        ReferenceBackend.start(
            BackendConfig.defaults()
                .withPorts(0, 0)
                .withAgentToken("a")
                .withDashboardToken("d")
                .withTls(server))) {
      assertThat(backend.wsUrl()).startsWith("wss://");
      assertThat(backend.httpUrl()).startsWith("https://");
      HttpResponse<String> r =
          HttpClient.newBuilder()
              .sslContext(client)
              .build()
              .send(
                  HttpRequest.newBuilder(URI.create(backend.httpUrl() + "/api/agents"))
                      .header("Authorization", "Bearer d")
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      ProtocolClient agent =
          new ProtocolClient(
              URI.create(backend.wsUrl() + "/ws/agent?agentId=tls-1&token=a"), java.util.Map.of());
      agent.setSocketFactory(client.getSocketFactory());
      try {
        assertThat(agent.connectBlocking(10, TimeUnit.SECONDS)).isTrue();
        agent.send(ProtocolClient.agentConnect("tls-1"));
        agent.expect(ai.onsembl.protocol.MessageType.ACK, Duration.ofSeconds(10));
      } finally {
        agent.close();
      }
    }
  }

  /**
   * TLS connections take their turn at emptying the selector's selected-key set too, and keep their
   * TLS session visible (see SweepingTlsChannel).
   */
  @Test
  void wssAgentsDoNotPileUpInTheSelectorsSelectedKeys() throws Exception {
    Path p12 = keyStore();
    SSLContext client = trusting(p12);
    List<ProtocolClient> agents = new ArrayList<>();
    try (ReferenceBackend backend =
        ReferenceBackend.start(
            BackendConfig.defaults()
                .withPorts(0, 0)
                .withAgentToken("a")
                .withDashboardToken("d")
                .withTls(TlsContexts.fromPkcs12(p12, PASSWORD.toCharArray())))) {
      for (int i = 0; i < 40; i++) {
        ProtocolClient agent =
            new ProtocolClient(
                URI.create(backend.wsUrl() + "/ws/agent?agentId=tls-" + i + "&token=a"),
                java.util.Map.of());
        agent.setSocketFactory(client.getSocketFactory());
        agents.add(agent);
        assertThat(agent.connectBlocking(10, TimeUnit.SECONDS)).isTrue();
        agent.send(ProtocolClient.agentConnect("tls-" + i));
        agent.expect(ai.onsembl.protocol.MessageType.ACK, Duration.ofSeconds(10));
      }
      org.java_websocket.WebSocketImpl socket =
          (org.java_websocket.WebSocketImpl)
              ai.onsembl.backend.internal.BackendAccess.bridge().core(backend).agentSocket("tls-0");
      assertThat(socket.getSSLSession().getProtocol()).startsWith("TLS");
      java.nio.channels.Selector selector = socket.getSelectionKey().selector();
      // Without the sweep each agent's key stays selected after its ACK was written.
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () ->
                  assertThat(selector.selectedKeys().size())
                      .as("keys left in the selected set")
                      .isLessThan(10));
    } finally {
      agents.forEach(ProtocolClient::close);
    }
  }

  private Path keyStore() throws Exception {
    Path p12 = dir.resolve("server.p12");
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
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
                PASSWORD,
                "-keypass",
                PASSWORD));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0).as(out).isTrue();
    return p12;
  }

  private static KeyStore load(Path p12) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(p12)) {
      ks.load(in, PASSWORD.toCharArray());
    }
    return ks;
  }

  private static SSLContext trusting(Path p12) throws Exception {
    KeyStore ts = KeyStore.getInstance("PKCS12");
    ts.load(null, null);
    ts.setCertificateEntry("backend", load(p12).getCertificate("backend"));
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ts);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }

  private static String pem(String label, byte[] der) {
    return "-----BEGIN "
        + label
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END "
        + label
        + "-----\n";
  }
}
