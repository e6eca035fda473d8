package ai.onsembl.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.onsembl.wrapper.testing.RunningProcess;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code onsembl-agent login} and {@code start} with a saved login, as real processes against a
 * real backend process issuing 3-second access tokens ({@code --access-token-ttl 3s}): the device
 * flow end to end, start refreshing an expired token, a reconnect after a backend restart that
 * needs a refresh, the TypeScript wrapper's credentials.enc (made here with its algorithm), and the
 * refusals (wrong code, expired code, a refused refresh, a corrupted or world-readable file), each
 * with a clear error and nothing overwritten.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
@ExtendWith(LeakChecks.class)
class LoginIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern PROMPT =
      Pattern.compile(
          "onsembl login: open (http://\\S+/agents\\?user_code=([A-Z]{4}-[A-Z]{4})) and confirm the code \\2");
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path home;

  private BackendProcess backend(String... extra) {
    return BackendProcess.start(home.resolve("backend.db"), home, extra);
  }

  private RunningProcess cli(String name, Path state, Map<String, String> env, String... args) {
    Map<String, String> e = new HashMap<>(env);
    e.putIfAbsent("HOME", home.toString());
    e.put("ONSEMBL_STATE_DIR", state.toString());
    return Dist.start(name, e, home, args);
  }

  /** Runs {@code login} to the end, approving the code it prints with the dashboard token. */
  private Path login(BackendProcess b, Path state) throws Exception {
    try (RunningProcess login = cli("login", state, Map.of(), "login", "--server", b.httpUrl())) {
      String line = login.awaitStdout(l -> l.startsWith("onsembl login: open"), WAIT);
      Matcher m = PROMPT.matcher(line);
      assertThat(m.matches()).as("the prompt line: " + line).isTrue();
      assertThat(m.group(1)).isEqualTo(b.httpUrl() + "/agents?user_code=" + m.group(2));
      JsonNode ok = b.post("/api/auth/device/confirm", "{\"user_code\":\"" + m.group(2) + "\"}");
      assertThat(ok.path("approved").asBoolean()).as(ok.toString()).isTrue();
      assertThat(login.awaitExit(WAIT)).as(login.transcript()).isZero();
      assertThat(login.stdout()).hasSize(2);
      assertThat(login.stdout().get(1))
          .startsWith(
              "onsembl login: logged in to "
                  + b.httpUrl()
                  + " as dashboard;"
                  + " access token valid until ")
          .contains("saved in " + state.resolve("login.json"));
      return state.resolve("login.json");
    }
  }

  private static JsonNode read(Path file) throws Exception {
    return JSON.readTree(Files.readAllBytes(file));
  }

  private static void awaitExpired(Path file) throws Exception {
    Instant exp = Instant.ofEpochSecond(read(file).path("expires_at").asLong());
    await("access token expired")
        .atMost(Duration.ofSeconds(20))
        .until(() -> Instant.now().isAfter(exp.plusSeconds(1)));
  }

  private RunningProcess start(Path state, String wsUrl, String name, Map<String, String> env) {
    return cli(
        name,
        state,
        env,
        "start",
        "--server",
        wsUrl,
        "--name",
        name,
        "--agent",
        "mock",
        "--mode",
        "exec");
  }

  @Test
  void deviceLoginThenStartRefreshesTheExpiredTokenAndAgainAfterABackendRestart() throws Exception {
    Path state = home.resolve("state");
    BackendProcess b = backend("--access-token-ttl", "3s");
    int wsPort = b.wsPort();
    int httpPort = b.httpPort();
    RunningProcess agent = null;
    try {
      Path file = login(b, state);
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
          .isEqualTo("rw-------");
      JsonNode saved = read(file);
      assertThat(saved.path("server_url").asText()).isEqualTo(b.httpUrl());
      assertThat(saved.path("user_id").asText()).isEqualTo("dashboard");

      try (RunningProcess status = cli("status", state, Map.of(), "login", "--status")) {
        assertThat(status.awaitExit(WAIT)).isZero();
        assertThat(String.join("\n", status.stdout()))
            .contains(
                "server:  " + b.httpUrl(), "user:    dashboard", "expires: ", "file:    " + file);
      }

      awaitExpired(file);
      String firstRefresh = saved.path("refresh_token").asText();
      agent = start(state, b.wsUrl(), "login-agent", Map.of());
      b.awaitAgent("login-agent", "ONLINE", WAIT);
      JsonNode afterStart = read(file);
      assertThat(afterStart.path("refresh_token").asText())
          .as("start refreshed and saved the rotated pair")
          .isNotEqualTo(firstRefresh);
      String refreshedLine = "refreshed the saved login for " + b.httpUrl();
      assertThat(agent.stderr()).anyMatch(l -> l.contains(refreshedLine));
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
          .isEqualTo("rw-------");

      b.close();
      awaitExpired(file);
      b =
          BackendProcess.startOn(
              wsPort, httpPort, home.resolve("backend.db"), home, "--access-token-ttl", "3s");
      b.awaitAgent("login-agent", "ONLINE", WAIT);
      // Every reconnect refreshes first: the access token had expired while the backend was down.
      assertThat(read(file).path("refresh_token").asText())
          .isNotEqualTo(afterStart.path("refresh_token").asText());
      assertThat(agent.isAlive()).isTrue();

      String all = String.join("\n", agent.stdout()) + String.join("\n", agent.stderr());
      JsonNode now = read(file);
      assertThat(all)
          .as("no token is ever logged")
          .doesNotContain(
              now.path("access_token").asText(), now.path("refresh_token").asText(), firstRefresh);

      agent.signal("TERM");
      assertThat(agent.awaitExit(WAIT)).isEqualTo(143);

      // A refused refresh (a spent refresh token): exit 3, the file left as it was.
      Files.writeString(
          file, Files.readString(file).replace(now.path("refresh_token").asText(), firstRefresh));
      byte[] before = Files.readAllBytes(file);
      awaitExpired(file);
      try (RunningProcess refused = start(state, b.wsUrl(), "refused-agent", Map.of())) {
        assertThat(refused.awaitExit(WAIT)).as(refused.transcript()).isEqualTo(3);
        assertThat(String.join("\n", refused.stderr()))
            .contains("could not be renewed", "invalid_grant", "run onsembl-agent login");
      }
      assertThat(Files.readAllBytes(file)).isEqualTo(before);

      try (RunningProcess logout = cli("logout", state, Map.of(), "logout")) {
        assertThat(logout.awaitExit(WAIT)).isZero();
        assertThat(logout.stdout()).contains("onsembl logout: removed " + file);
      }
      assertThat(file).doesNotExist();
      try (RunningProcess status = cli("status", state, Map.of(), "login", "--status")) {
        assertThat(status.awaitExit(WAIT)).isEqualTo(3);
        assertThat(String.join("\n", status.stdout()))
            .contains("not logged in", "run onsembl-agent login");
      }
    } finally {
      if (agent != null) {
        agent.close();
      }
      b.close();
    }
  }

  @Test
  void typeScriptSavedLoginIsUsedRefreshedAndWrittenBackInItsFormat() throws Exception {
    try (BackendProcess b = backend("--access-token-ttl", "3s")) {
      JsonNode ours = read(login(b, home.resolve("login-state")));
      Path tsHome = home.resolve("ts-home");
      String json =
          "{\"access_token\":\""
              + ours.path("access_token").asText()
              + "\",\"refresh_token\":\""
              + ours.path("refresh_token").asText()
              + "\",\"expires_at\":"
              + ours.path("expires_at").asLong()
              + ",\"user_id\":\"ts-user\",\"scopes\":[\"agent:manage\"],\"server_url\":\""
              + b.httpUrl()
              + "\"}";
      String hexKey = TypeScriptLogin.write(tsHome.resolve(".onsembl"), json);
      Path state = home.resolve("empty-state");
      try (RunningProcess agent =
          start(state, b.wsUrl(), "ts-agent", Map.of("HOME", tsHome.toString()))) {
        b.awaitAgent("ts-agent", "ONLINE", WAIT);
        assertThat(agent.stderr())
            .anyMatch(
                l ->
                    l.contains(
                        "Using the TypeScript wrapper's saved login "
                            + tsHome.resolve(".onsembl/credentials.enc")
                            + " for "
                            + b.httpUrl()
                            + " (user ts-user"));
        JsonNode back =
            JSON.readTree(
                TypeScriptLogin.decrypt(
                    Files.readString(tsHome.resolve(".onsembl/credentials.enc")), hexKey));
        assertThat(back.path("refresh_token").asText())
            .as("refreshed and saved back in the TypeScript format")
            .isNotEqualTo(ours.path("refresh_token").asText());
        assertThat(back.path("user_id").asText()).isEqualTo("ts-user");
        assertThat(state.resolve("login.json")).doesNotExist();
        agent.signal("TERM");
        assertThat(agent.awaitExit(WAIT)).isEqualTo(143);
      }
    }
  }

  @Test
  void badInputGetsClearErrorsAndNothingIsOverwritten() throws Exception {
    try (BackendProcess b = backend()) {
      JsonNode wrong = b.post("/api/auth/device/confirm", "{\"user_code\":\"BBBB-CCCC\"}");
      assertThat(wrong.path("error").asText()).isEqualTo("invalid_user_code");
      assertThat(wrong.path("error_description").asText())
          .contains("no pending device login with the code BBBB-CCCC");

      // An expired code: the login ends with exit 3 and saves nothing.
      Path state = home.resolve("expired-state");
      try (RunningProcess login =
          cli("login-expired", state, Map.of(), "login", "--server", b.httpUrl())) {
        login.awaitStdout(l -> l.startsWith("onsembl login: open"), WAIT);
        try (Connection c =
                DriverManager.getConnection("jdbc:sqlite:" + home.resolve("backend.db"));
            Statement s = c.createStatement()) {
          s.execute("PRAGMA busy_timeout=5000");
          assertThat(s.executeUpdate("UPDATE device_codes SET expires_at = 1")).isEqualTo(1);
        }
        assertThat(login.awaitExit(WAIT)).as(login.transcript()).isEqualTo(3);
        assertThat(String.join("\n", login.stderr()))
            .contains("expired before it was confirmed", "run onsembl-agent login again");
      }
      assertThat(state.resolve("login.json")).doesNotExist();

      // A corrupted and a world-readable login: start refuses (exit 2) naming the file; the file
      // stays as it was.
      Path bad = home.resolve("bad-state");
      Files.createDirectories(bad);
      Path file = bad.resolve("login.json");
      Files.writeString(file, "{\"access_token\": \"abc\", \"refresh");
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      try (RunningProcess start = start(bad, b.wsUrl(), "corrupt-agent", Map.of())) {
        assertThat(start.awaitExit(WAIT)).isEqualTo(2);
        assertThat(String.join("\n", start.stderr()))
            .contains(
                file + " is not readable as a login",
                "expected JSON with access_token",
                "run onsembl-agent login again");
      }
      assertThat(Files.readString(file)).isEqualTo("{\"access_token\": \"abc\", \"refresh");
      String valid =
          "{\"access_token\":\"a.b.c\",\"refresh_token\":\"r\",\"expires_at\":4102444800,"
              + "\"server_url\":\""
              + b.httpUrl()
              + "\"}";
      Files.writeString(file, valid);
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
      try (RunningProcess start = start(bad, b.wsUrl(), "readable-agent", Map.of())) {
        assertThat(start.awaitExit(WAIT)).isEqualTo(2);
        assertThat(String.join("\n", start.stderr()))
            .contains(file + " is readable or writable by others", "rw-r--r--", "chmod 600");
      }
      assertThat(Files.readString(file)).isEqualTo(valid);
      try (RunningProcess status = cli("status-readable", bad, Map.of(), "login", "--status")) {
        assertThat(status.awaitExit(WAIT)).isEqualTo(2);
      }
    }
  }

  /**
   * The TypeScript wrapper's credentials.enc, made with its algorithm (independently of the
   * wrapper's code).
   */
  static final class TypeScriptLogin {
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
      List<String> parts = List.of(text.trim().split(":"));
      Cipher c = Cipher.getInstance("AES/CBC/PKCS5Padding");
      c.init(
          Cipher.DECRYPT_MODE,
          key(hexKey),
          new IvParameterSpec(HexFormat.of().parseHex(parts.get(0))));
      return new String(c.doFinal(HexFormat.of().parseHex(parts.get(1))), StandardCharsets.UTF_8);
    }

    private static SecretKeySpec key(String hexKey) throws Exception {
      return new SecretKeySpec(
          MessageDigest.getInstance("SHA-256").digest(hexKey.getBytes(StandardCharsets.UTF_8)),
          "AES");
    }
  }
}
