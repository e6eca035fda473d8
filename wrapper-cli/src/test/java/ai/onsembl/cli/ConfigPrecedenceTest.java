package ai.onsembl.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onsembl.wrapper.AgentExitException;
import ai.onsembl.wrapper.AgentKind;
import ai.onsembl.wrapper.command.CommandSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

@Timeout(30)
class ConfigPrecedenceTest {
  @TempDir Path tmp;
  private final Map<String, String> env = new HashMap<>();

  private StartConfig.Resolved resolve(String... args) {
    StartCommand cmd = new StartCommand();
    new CommandLine(cmd).parseArgs(args);
    return StartConfig.resolve(cmd.options, env, tmp, "9.9.9");
  }

  private void configFile(String json) throws Exception {
    Files.writeString(tmp.resolve("config.json"), json);
  }

  @Test
  void defaultsApplyWhenNothingIsGiven() {
    var c = resolve().wrapper();
    assertThat(c.serverUrl()).hasToString("ws://localhost:3001");
    assertThat(c.agentKind()).isEqualTo(AgentKind.CLAUDE);
    assertThat(c.heartbeatInterval()).isEqualTo(Duration.ofSeconds(15));
    assertThat(c.childGrace()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.flushTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.shutdownTimeout()).isEqualTo(Duration.ofSeconds(7));
    assertThat(c.giveUpAfter()).isNull();
    assertThat(c.exitZeroOnSignal()).isFalse();
    assertThat(c.token()).isNull();
    assertThat(c.stateDir()).isEqualTo(tmp);
    assertThat(c.version()).isEqualTo("9.9.9");
  }

  @Test
  void flagBeatsEnvironmentBeatsConfigFileBeatsDefault() throws Exception {
    configFile(
        """
        {"server": "ws://file:1", "heartbeatInterval": "3s", "childGrace": 1500, "name": "from-file",
         "logLevel": "debug", "exitZeroOnSignal": true}
        """);
    env.put("ONSEMBL_SERVER_URL", "ws://env:2");
    env.put("ONSEMBL_HEARTBEAT_INTERVAL", "4s");
    var c = resolve("--server", "ws://flag:3").wrapper();
    assertThat(c.serverUrl()).hasToString("ws://flag:3");
    assertThat(c.heartbeatInterval()).isEqualTo(Duration.ofSeconds(4));
    assertThat(c.childGrace()).isEqualTo(Duration.ofMillis(1500));
    assertThat(c.name()).isEqualTo("from-file");
    assertThat(c.logLevel()).isEqualTo("debug");
    assertThat(c.exitZeroOnSignal()).isTrue();
    assertThat(c.flushTimeout()).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void tokenComesFromTheEnvironmentOrATokenFileAndNeverShowsInToString() throws Exception {
    env.put("ONSEMBL_TOKEN", "env-secret");
    assertThat(resolve().wrapper().token()).isEqualTo("env-secret");
    Path f = tmp.resolve("token");
    Files.writeString(f, "file-secret\n");
    var c = resolve("--token-file", f.toString()).wrapper();
    assertThat(c.token()).isEqualTo("file-secret");
    assertThat(c.toString()).doesNotContain("file-secret");
  }

  @Test
  void thereIsNoTokenFlag() {
    int code =
        OnsemblAgent.newCommandLine()
            .setErr(new java.io.PrintWriter(new java.io.StringWriter()))
            .execute("start", "--token", "x");
    assertThat(code).isEqualTo(2);
  }

  @Test
  void unknownConfigKeyIsAUsageError() throws Exception {
    configFile("{\"heartbeat\": \"5s\"}");
    assertThatThrownBy(this::resolve)
        .isInstanceOf(AgentExitException.class)
        .hasMessageContaining("unknown key 'heartbeat'")
        .satisfies(e -> assertThat(((AgentExitException) e).exitCode()).isEqualTo(2));
  }

  @Test
  void explicitConfigFileMustExist() {
    assertThatThrownBy(() -> resolve("--config", tmp.resolve("nope.json").toString()))
        .isInstanceOf(AgentExitException.class)
        .hasMessageContaining("does not exist");
  }

  @Test
  void commandAfterDoubleDashIsCustomInSessionMode() {
    var r = resolve("--", "sh", "-c", "echo hi");
    assertThat(r.wrapper().agentKind()).isEqualTo(AgentKind.CUSTOM);
    assertThat(r.wrapper().command()).containsExactly("sh", "-c", "echo hi");
    assertThat(r.commands().mode()).isEqualTo(CommandSettings.Mode.SESSION);
  }

  @Test
  void claudeDefaultsToExecModeWithItsTemplate() {
    var r = resolve("--agent", "claude", "--concurrency", "2");
    assertThat(r.commands().mode()).isEqualTo(CommandSettings.Mode.EXEC);
    assertThat(r.commands().execTemplate()).containsExactly("claude", "-p", "--", "{prompt}");
    assertThat(r.commands().concurrency()).isEqualTo(2);
  }

  @Test
  void badValuesInTheEnvironmentAreUsageErrorsNamingTheVariable() {
    env.put("ONSEMBL_CHILD_GRACE", "soon");
    assertThatThrownBy(this::resolve)
        .isInstanceOf(AgentExitException.class)
        .hasMessageContaining("ONSEMBL_CHILD_GRACE");
  }

  @Test
  void unknownAgentKindIsAUsageError() {
    assertThatThrownBy(() -> resolve("--agent", "gpt"))
        .isInstanceOf(AgentExitException.class)
        .hasMessageContaining("claude|gemini|codex|mock|custom");
  }

  @Test
  void configValuesReadAsTextNumbersAsMillisecondsAndBrokenFilesAreUsageErrors() throws Exception {
    configFile(
        "{\"giveUpAfter\": 2500, \"childGrace\": 1.9, \"concurrency\": 3, \"exitZeroOnSignal\": true,"
            + " \"command\": [\"sleep\", 5, true], \"name\": null}");
    var r = resolve();
    assertThat(r.wrapper().giveUpAfter()).isEqualTo(Duration.ofMillis(2500));
    assertThat(r.wrapper().childGrace()).isEqualTo(Duration.ofMillis(1));
    assertThat(r.commands().concurrency()).isEqualTo(3);
    assertThat(r.wrapper().exitZeroOnSignal()).isTrue();
    assertThat(r.wrapper().command()).containsExactly("sleep", "5", "true");
    configFile("{\"server\": {\"url\": \"ws://x\"}}");
    assertThatThrownBy(this::resolve)
        .isInstanceOf(AgentExitException.class)
        .hasMessageContaining("'server' must be a string, number or boolean");
    configFile("{\"server\": \"ws://x\",");
    assertThatThrownBy(this::resolve)
        .isInstanceOf(AgentExitException.class)
        .hasMessageContaining("is not valid JSON");
    configFile("[1]");
    assertThatThrownBy(this::resolve)
        .isInstanceOf(AgentExitException.class)
        .hasMessageContaining("expected a JSON object");
  }

  @Test
  void commandInTheConfigFileIsUsed() throws Exception {
    configFile("{\"command\": [\"sleep\", \"5\"]}");
    assertThat(resolve().wrapper().command()).isEqualTo(List.of("sleep", "5"));
  }

  @Test
  void badLogLevelIsAUsageError() {
    env.put("ONSEMBL_LOG_LEVEL", "loud");
    assertThatThrownBy(this::resolve)
        .isInstanceOf(AgentExitException.class)
        .hasMessageContaining("log level")
        .satisfies(e -> assertThat(((AgentExitException) e).exitCode()).isEqualTo(2));
  }
}
