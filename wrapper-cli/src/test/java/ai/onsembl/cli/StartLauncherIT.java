package ai.onsembl.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.onsembl.backend.BackendConfig;
import ai.onsembl.backend.junit.TestBackend;
import ai.onsembl.protocol.AgentStatus;
import ai.onsembl.wrapper.testing.RunningProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code start} on the packaged launcher: an ordinary command line runs without loading any picocli
 * class ({@link StartArgs}); help, a bad flag and a bad duration still get picocli's help and
 * errors with exit 0 / 2 / 2; a start that fails after parsing prints the same line and exits with
 * the same code whether picocli parsed its command line or not.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StartLauncherIT {
  private static final Path LAUNCHER =
      Path.of("target/onsembl-agent/bin/onsembl-agent").toAbsolutePath();
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String TOKEN = "launcher-it-token";

  /** A JVM flag that changes nothing but makes {@link StartArgs} leave the parsing to picocli. */
  private static final String FORCE_PICOCLI = "-Dpicocli.trace=WARN";

  @TempDir Path home;

  private RunningProcess launch(String javaOpts, String... args) {
    List<String> command = new ArrayList<>(List.of(LAUNCHER.toString()));
    command.addAll(List.of(args));
    return RunningProcess.builder("start", command)
        .env(
            Map.of(
                "HOME",
                home.toString(),
                "ONSEMBL_STATE_DIR",
                home.resolve("state").toString(),
                "ONSEMBL_JAVA_OPTS",
                javaOpts))
        .unsetEnv("ONSEMBL_TOKEN")
        .unsetEnv("ONSEMBL_CONFIG")
        .unsetEnv("ONSEMBL_VERBOSE")
        .dir(home)
        .start();
  }

  /** Exit code, stdout and stderr of a launch that ends by itself. */
  private record Result(int code, List<String> out, List<String> err) {}

  private Result run(String javaOpts, String... args) {
    try (RunningProcess p = launch(javaOpts, args)) {
      int code = p.awaitExit(WAIT);
      return new Result(code, p.stdout(), p.stderr());
    }
  }

  @Test
  void anOrdinaryStartReachesOnlineWithoutLoadingPicocli() throws Exception {
    Path log = home.resolve("classes.log");
    try (TestBackend backend = TestBackend.start(BackendConfig.forTests().withAgentToken(TOKEN));
        RunningProcess w =
            RunningProcess.builder(
                    "start",
                    List.of(
                        LAUNCHER.toString(),
                        "start",
                        "--server",
                        backend.wsUrl(),
                        "--agent-id",
                        "launcher-it",
                        "--state-dir=" + home.resolve("state"),
                        "--child-grace",
                        "2s",
                        "--exit-zero-on-signal",
                        "--",
                        "sleep",
                        "600"))
                .env(
                    Map.of(
                        "HOME",
                        home.toString(),
                        "ONSEMBL_TOKEN",
                        TOKEN,
                        "ONSEMBL_JAVA_OPTS",
                        "-Xlog:class+load:file=" + log))
                .dir(home)
                .start()) {
      await()
          .atMost(WAIT)
          .until(
              () ->
                  backend
                      .backend()
                      .agent("launcher-it")
                      .map(a -> a.status() == AgentStatus.ONLINE)
                      .orElse(false));
      w.signal("TERM");
      assertThat(w.awaitExit(WAIT)).as("exit with --exit-zero-on-signal").isZero();
    }
    List<String> loaded = Files.readAllLines(log);
    assertThat(loaded)
        .as("classes loaded by start")
        .anyMatch(l -> l.contains(" ai.onsembl.cli.StartArgs "))
        .noneMatch(l -> l.contains(" picocli."));
  }

  /**
   * Started with SIGINT ignored (as a background job of a non-interactive shell is), the launcher
   * sees that in its own /proc status and execs java through {@code env --default-signal=INT}, so
   * kill -INT still stops the wrapper (130) instead of being ignored by the JVM.
   */
  @Test
  void aStartWithInterruptIgnoredStillStopsOnSigint() throws Exception {
    try (TestBackend backend = TestBackend.start(BackendConfig.forTests().withAgentToken(TOKEN));
        RunningProcess w =
            RunningProcess.builder(
                    "start",
                    List.of(
                        "sh",
                        "-c",
                        "trap '' INT; exec \"$0\" \"$@\"",
                        LAUNCHER.toString(),
                        "start",
                        "--server",
                        backend.wsUrl(),
                        "--agent-id",
                        "launcher-int",
                        "--state-dir=" + home.resolve("state"),
                        "--child-grace",
                        "2s",
                        "--",
                        "sleep",
                        "600"))
                .env(Map.of("HOME", home.toString(), "ONSEMBL_TOKEN", TOKEN))
                .unsetEnv("ONSEMBL_JAVA_OPTS")
                .dir(home)
                .start()) {
      await()
          .atMost(WAIT)
          .until(
              () ->
                  backend
                      .backend()
                      .agent("launcher-int")
                      .map(a -> a.status() == AgentStatus.ONLINE)
                      .orElse(false));
      w.signal("INT");
      assertThat(w.awaitExit(WAIT)).as("exit on SIGINT").isEqualTo(130);
    }
  }

  @Test
  void helpABadFlagAndABadDurationAreStillPicocliS() {
    Result help = run("", "start", "--help");
    assertThat(help.code()).isZero();
    assertThat(help.out()).first().asString().startsWith("Usage: onsembl-agent start");
    assertThat(help.out()).anyMatch(l -> l.contains("--exit-zero-on-signal[=BOOL]"));

    Result flag = run("", "start", "--bogus", "--", "sleep", "1");
    assertThat(flag.code()).isEqualTo(2);
    assertThat(flag.err())
        .containsExactly(
            "onsembl-agent: Unknown option: '--bogus'",
            "Try 'onsembl-agent start --help' for more information.");

    Result duration = run("", "start", "--child-grace", "soon", "--", "sleep", "1");
    assertThat(duration.code()).isEqualTo(2);
    assertThat(duration.err())
        .containsExactly(
            "onsembl-agent: Invalid value for option '--child-grace': expected a duration such as"
                + " 250ms, 5s, 2m, 1h, 7d or PT5S but got 'soon'",
            "Try 'onsembl-agent start --help' for more information.");
  }

  @Test
  void aStartThatFailsAfterParsingEndsAlikeWithAndWithoutPicocli() {
    String[][] failing = {
      {"start", "--interactive", "--headless", "--", "sh"},
      {"start", "--log-level", "loud", "--", "sh"},
      {"start", "--token-file", home.resolve("missing").toString(), "--", "sh"},
      {"start", "--server", "ws://bad host", "--", "sh"},
      {"start", "--agent", "nobody"},
    };
    for (String[] args : failing) {
      Result fast = run("", args);
      Result picocli = run(FORCE_PICOCLI, args);
      assertThat(fast.code()).as("exit of %s", List.of(args)).isEqualTo(2);
      assertThat(fast.err())
          .as("stderr of %s", List.of(args))
          .hasSize(1)
          .allMatch(l -> l.startsWith("onsembl-agent: "));
      assertThat(fast).as("%s without and with picocli", List.of(args)).isEqualTo(picocli);
    }
  }
}
