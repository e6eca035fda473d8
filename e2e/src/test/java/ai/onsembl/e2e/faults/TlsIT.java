package ai.onsembl.e2e.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onsembl.e2e.BackendProcess;
import ai.onsembl.e2e.LeakChecks;
import ai.onsembl.wrapper.testing.RunningProcess;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS: the backend process serves {@code wss://} and {@code https://} with a certificate given by
 * path (PKCS12, or PEM certificate + key) that the test made with keytool; real wrapper processes
 * connect with {@code --trust-store} (PEM or PKCS12), and without it are refused by certificate
 * checking.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
@ExtendWith({LeakChecks.class, ThreadLeakCheck.class, TempFilesCheck.class})
class TlsIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path home;

  @Test
  void pkcs12CertificateServesWssAndHttpsAndWrappersTrustingItByPemOrPkcs12Connect()
      throws Exception {
    Certs certs = Certs.create(home);
    Path pw = home.resolve("tls-password");
    Files.writeString(pw, certs.serverPassword() + "\n");
    try (BackendProcess backend =
            BackendProcess.start(
                home.resolve("b.db"),
                home,
                "--tls-keystore",
                certs.serverP12().toString(),
                "--tls-password-file",
                pw.toString());
        AutoCloseable stop = TempFilesCheck.graceful(backend)) {
      assertThat(backend.wsUrl()).startsWith("wss://127.0.0.1:");
      assertThat(backend.httpUrl()).startsWith("https://127.0.0.1:");
      HttpClient https = HttpClient.newBuilder().sslContext(certs.clientContext()).build();
      assertThat(get(https, backend, "/api/agents").has("agents")).isTrue();
      // an untrusting client is refused by the handshake, not served in clear
      assertThatThrownBy(() -> get(HttpClient.newHttpClient(), backend, "/api/agents"))
          .hasStackTraceContaining("PKIX");

      try (RunningProcess byPem =
              Wrappers.start(
                  home,
                  backend.wsUrl(),
                  "tls-pem",
                  Map.of(),
                  "--agent",
                  "mock",
                  "--mode",
                  "exec",
                  "--trust-store",
                  certs.certPem().toString());
          RunningProcess byP12 =
              Wrappers.start(
                  home,
                  backend.wsUrl(),
                  "tls-p12",
                  Map.of("ONSEMBL_TRUST_STORE_PASSWORD", certs.trustPassword()),
                  "--agent",
                  "mock",
                  "--mode",
                  "exec",
                  "--trust-store",
                  certs.trustP12().toString())) {
        awaitOnline(https, backend, "tls-pem");
        awaitOnline(https, backend, "tls-p12");
        String agentId = agentNamed(https, backend, "tls-pem").path("agentId").asText();
        String commandId =
            JSON.readTree(
                    https
                        .send(
                            HttpRequest.newBuilder(
                                    URI.create(
                                        backend.httpUrl() + "/api/agents/" + agentId + "/commands"))
                                .header("Authorization", "Bearer " + BackendProcess.DASHBOARD_TOKEN)
                                .POST(
                                    HttpRequest.BodyPublishers.ofString(
                                        "{\"content\":\"print 3 lines\"}"))
                                .build(),
                            HttpResponse.BodyHandlers.ofString())
                        .body())
                .path("commandId")
                .asText();
        Awaitility.await("command over wss")
            .atMost(Duration.ofSeconds(20))
            .pollInterval(Duration.ofMillis(100))
            .until(
                () ->
                    "COMPLETED"
                        .equals(
                            get(https, backend, "/api/commands/" + commandId)
                                .path("status")
                                .asText()));
        assertThat(get(https, backend, "/api/commands/" + commandId).path("output").toString())
            .contains("line 3");
        for (RunningProcess w : new RunningProcess[] {byPem, byP12}) {
          w.signal("TERM");
          assertThat(w.awaitExit(Duration.ofSeconds(15))).isEqualTo(143);
        }
      }
    }
  }

  @Test
  void pemCertificateAndKeyServeWssAndAWrapperWithoutTheTrustStoreIsRefusedClearly()
      throws Exception {
    Certs certs = Certs.create(home);
    try (BackendProcess backend =
            BackendProcess.start(
                home.resolve("b.db"),
                home,
                "--tls-cert",
                certs.certPem().toString(),
                "--tls-key",
                certs.keyPem().toString());
        AutoCloseable stop = TempFilesCheck.graceful(backend)) {
      HttpClient https = HttpClient.newBuilder().sslContext(certs.clientContext()).build();
      assertThat(get(https, backend, "/api/agents").has("agents")).isTrue();
      try (RunningProcess trusting =
              Wrappers.start(
                  home,
                  backend.wsUrl(),
                  "tls-pem-key",
                  Map.of(),
                  "--agent",
                  "mock",
                  "--mode",
                  "exec",
                  "--trust-store",
                  certs.certPem().toString());
          RunningProcess untrusting =
              Wrappers.start(
                  home,
                  backend.wsUrl(),
                  "tls-untrusting",
                  Map.of(),
                  "--agent",
                  "mock",
                  "--mode",
                  "exec",
                  "--give-up-after",
                  "3s")) {
        awaitOnline(https, backend, "tls-pem-key");
        assertThat(untrusting.awaitExit(Duration.ofSeconds(30)))
            .as(untrusting.transcript())
            .isEqualTo(4);
        assertThat(untrusting.transcript()).containsIgnoringCase("certif");
        assertThat(agentNamedOrNull(https, backend, "tls-untrusting")).isNull();
        trusting.signal("TERM");
        assertThat(trusting.awaitExit(Duration.ofSeconds(15))).isEqualTo(143);
      }
    }
  }

  private static JsonNode get(HttpClient http, BackendProcess backend, String path)
      throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(backend.httpUrl() + path))
                .header("Authorization", "Bearer " + BackendProcess.DASHBOARD_TOKEN)
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(r.body());
  }

  private static JsonNode agentNamedOrNull(HttpClient http, BackendProcess backend, String name)
      throws Exception {
    for (JsonNode a : get(http, backend, "/api/agents").path("agents")) {
      if (name.equals(a.path("name").asText())) {
        return a;
      }
    }
    return null;
  }

  private static JsonNode agentNamed(HttpClient http, BackendProcess backend, String name)
      throws Exception {
    JsonNode a = agentNamedOrNull(http, backend, name);
    assertThat(a).as("agent " + name).isNotNull();
    return a;
  }

  private static void awaitOnline(HttpClient http, BackendProcess backend, String name) {
    Awaitility.await(name + " ONLINE over wss")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              JsonNode a = agentNamedOrNull(http, backend, name);
              return a != null && "ONLINE".equals(a.path("status").asText());
            });
  }
}
