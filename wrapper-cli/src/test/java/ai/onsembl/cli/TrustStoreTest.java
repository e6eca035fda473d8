package ai.onsembl.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onsembl.wrapper.AgentExitException;
import ai.onsembl.wrapper.testing.RunningProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --trust-store}: PEM certificates or a PKCS12 store; an unreadable file is a configuration
 * error.
 */
@Timeout(60)
class TrustStoreTest {
  @TempDir Path dir;

  @Test
  void pemAndPkcs12TrustStoresYieldTheSameCertificate() throws Exception {
    Path p12 = dir.resolve("server.p12");
    Path pem = dir.resolve("server.pem");
    Path trust = dir.resolve("trust.p12");
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
        "-validity",
        "2",
        "-storetype",
        "PKCS12",
        "-keystore",
        p12.toString(),
        "-storepass",
        "pw1234",
        "-keypass",
        "pw1234");
    keytool(
        "-exportcert",
        "-rfc",
        "-alias",
        "backend",
        "-keystore",
        p12.toString(),
        "-storepass",
        "pw1234",
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
        "trust1");

    KeyStore fromPem = TrustStore.load(pem, null);
    KeyStore fromP12 = TrustStore.load(trust, "trust1");
    assertThat(Collections.list(fromPem.aliases())).hasSize(1);
    assertThat(fromPem.getCertificate(fromPem.aliases().nextElement()))
        .isEqualTo(fromP12.getCertificate("backend"));
  }

  @Test
  void anUnreadableTrustStoreIsExitTwoNamingTheFile() throws Exception {
    Path junk = dir.resolve("junk.pem");
    Files.writeString(junk, "not a certificate");
    assertThatThrownBy(() -> TrustStore.install(junk, null))
        .isInstanceOf(AgentExitException.class)
        .hasMessageContaining("--trust-store")
        .hasMessageContaining(junk.toString())
        .satisfies(e -> assertThat(((AgentExitException) e).exitCode()).isEqualTo(2));
  }

  private static void keytool(String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    cmd.addAll(List.of(args));
    RunningProcess.run("keytool", Duration.ofSeconds(60), cmd.toArray(String[]::new));
  }
}
