package ai.onsembl.wrapper.login;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onsembl.wrapper.AgentExitException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our login.json and the TypeScript wrapper's credentials.enc: round trips, mode 0600, and the
 * refusals of a file others can read or that is not a login (nothing overwritten). The TypeScript
 * fixture is made here with the TypeScript wrapper's algorithm, independently of {@link LoginFile}.
 */
class LoginFileTest {
  @TempDir Path dir;

  private static final SavedLogin LOGIN =
      new SavedLogin(
          "http://127.0.0.1:3002",
          "acc.ess.tok",
          "refresh-1",
          Instant.ofEpochSecond(1_900_000_000L),
          "u-7",
          List.of("agent:manage"));

  @Test
  void oursRoundTripsWithOwnerOnlyModeAndNoTokenInToString() throws Exception {
    LoginFile f = LoginFile.ours(dir.resolve("state"));
    assertThat(f.read()).isEmpty();
    f.write(LOGIN);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f.path())))
        .isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f.path().getParent())))
        .isEqualTo("rwx------");
    assertThat(f.read()).contains(LOGIN);
    assertThat(LOGIN.toString()).doesNotContain("acc.ess.tok", "refresh-1");
    try (var files = Files.list(f.path().getParent())) {
      assertThat(files.map(p -> p.getFileName().toString()).toList())
          .as("no temporary file left")
          .containsExactly("login.json");
    }
    assertThat(f.delete()).isTrue();
    assertThat(f.read()).isEmpty();
  }

  @Test
  void worldReadableFileIsRefusedAndLeftAsItWas() throws Exception {
    LoginFile f = LoginFile.ours(dir);
    f.write(LOGIN);
    Files.setPosixFilePermissions(f.path(), PosixFilePermissions.fromString("rw-r--r--"));
    byte[] before = Files.readAllBytes(f.path());
    assertThatThrownBy(f::read)
        .isInstanceOf(AgentExitException.class)
        .hasMessageContaining(f.path().toString())
        .hasMessageContaining("rw-r--r--")
        .hasMessageContaining("expected rw-------")
        .satisfies(e -> assertThat(((AgentExitException) e).exitCode()).isEqualTo(2));
    assertThat(Files.readAllBytes(f.path())).isEqualTo(before);
  }

  @Test
  void corruptedFileIsRefusedWithWhatWasExpected() throws Exception {
    Path p = dir.resolve("login.json");
    Files.writeString(p, "{\"access_token\": \"x\", \"expires_at\": ");
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
    assertThatThrownBy(() -> LoginFile.ours(dir).read())
        .isInstanceOf(AgentExitException.class)
        .hasMessageContaining("not readable as a login")
        .hasMessageContaining("expected JSON with access_token");
    Files.writeString(
        p, "{\"access_token\": \"x\", \"expires_at\": \"soon\", \"server_url\": \"http://h\"}");
    assertThatThrownBy(() -> LoginFile.ours(dir).read())
        .hasMessageContaining("expires_at is not a number");
    assertThat(Files.readString(p)).contains("soon");
  }

  @Test
  void typeScriptCredentialsMadeWithItsAlgorithmAreReadAndWrittenBackTheSameWay() throws Exception {
    Path ts = dir.resolve(".onsembl");
    String json =
        "{\"access_token\":\"ts.access.jwt\",\"refresh_token\":\"ts-refresh\",\"expires_at\":1900000000,"
            + "\"user_id\":\"user-42\",\"scopes\":[\"agent:manage\",\"agent:read\"],\"server_url\":\"https://o.example\"}";
    String hexKey = TypeScriptFixture.write(ts, json);
    LoginFile f = LoginFile.typeScript(ts);
    SavedLogin l = f.read().orElseThrow();
    assertThat(l)
        .isEqualTo(
            new SavedLogin(
                "https://o.example",
                "ts.access.jwt",
                "ts-refresh",
                Instant.ofEpochSecond(1_900_000_000L),
                "user-42",
                List.of("agent:manage", "agent:read")));

    f.write(l.renewed("new.access.jwt", "new-refresh", Instant.ofEpochSecond(1_900_003_600L)));
    String back =
        TypeScriptFixture.decrypt(Files.readString(ts.resolve("credentials.enc")), hexKey);
    assertThat(back)
        .contains(
            "\"access_token\" : \"new.access.jwt\"",
            "\"refresh_token\" : \"new-refresh\"",
            "\"expires_at\" : 1900003600",
            "\"server_url\" : \"https://o.example\"");
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(ts.resolve("credentials.enc"))))
        .isEqualTo("rw-------");
  }

  @Test
  void typeScriptFileWithAnotherKeyOrNotHexIsRefused() throws Exception {
    Path ts = dir.resolve(".onsembl");
    TypeScriptFixture.write(ts, "{\"access_token\":\"a\"}");
    Files.writeString(ts.resolve(".key"), HexFormat.of().formatHex(new byte[32]));
    assertThatThrownBy(() -> LoginFile.typeScript(ts).read())
        .hasMessageContaining("does not decrypt with the key");
    Files.writeString(ts.resolve("credentials.enc"), "zz:zz");
    assertThatThrownBy(() -> LoginFile.typeScript(ts).read()).hasMessageContaining("not hex");
  }

  /**
   * The TypeScript wrapper's format, written as its code does (Node's crypto, here with the JDK's).
   */
  static final class TypeScriptFixture {
    /** Writes .key (64 hex chars) and credentials.enc = ivhex:cipherhex; returns the hex key. */
    static String write(Path dir, String json) throws Exception {
      Files.createDirectories(dir);
      byte[] raw = new byte[32];
      new SecureRandom().nextBytes(raw);
      String hexKey = HexFormat.of().formatHex(raw);
      Files.writeString(dir.resolve(".key"), hexKey);
      byte[] iv = new byte[16];
      new SecureRandom().nextBytes(iv);
      Cipher c = Cipher.getInstance("AES/CBC/PKCS5Padding");
      c.init(Cipher.ENCRYPT_MODE, key(hexKey), new IvParameterSpec(iv));
      Path enc = dir.resolve("credentials.enc");
      Files.writeString(
          enc,
          HexFormat.of().formatHex(iv)
              + ":"
              + HexFormat.of().formatHex(c.doFinal(json.getBytes(StandardCharsets.UTF_8))));
      Files.setPosixFilePermissions(enc, PosixFilePermissions.fromString("rw-------"));
      return hexKey;
    }

    static String decrypt(String text, String hexKey) throws Exception {
      String[] parts = text.trim().split(":");
      Cipher c = Cipher.getInstance("AES/CBC/PKCS5Padding");
      c.init(
          Cipher.DECRYPT_MODE, key(hexKey), new IvParameterSpec(HexFormat.of().parseHex(parts[0])));
      return new String(c.doFinal(HexFormat.of().parseHex(parts[1])), StandardCharsets.UTF_8);
    }

    /**
     * SHA-256 of the hex string (as text), as {@code crypto.createHash('sha256').update(key)} does.
     */
    private static SecretKeySpec key(String hexKey) throws Exception {
      return new SecretKeySpec(
          MessageDigest.getInstance("SHA-256").digest(hexKey.getBytes(StandardCharsets.UTF_8)),
          "AES");
    }
  }
}
