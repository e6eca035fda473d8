package ai.onsembl.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onsembl.wrapper.testing.RunningProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The packaged launcher as a real process: help, version, usage errors. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@ExtendWith(LeakChecks.class)
class LauncherIT {
  @Test
  void versionPrintsTheBuildVersionAndExitsZero() {
    try (RunningProcess p = Dist.start("version", Map.of(), null, "--version")) {
      assertThat(p.awaitExit(Duration.ofSeconds(20))).isZero();
      assertThat(p.stdout()).first().asString().matches("onsembl-agent \\d+\\.\\d+\\.\\d+.*");
    }
  }

  @Test
  void helpListsTheCommands() {
    try (RunningProcess p = Dist.start("help", Map.of(), null, "--help")) {
      assertThat(p.awaitExit(Duration.ofSeconds(20))).isZero();
      assertThat(String.join("\n", p.stdout()))
          .contains("start", "stop", "status", "backend", "demo");
    }
  }

  @Test
  void badFlagIsExitTwoWithAClearMessage() {
    try (RunningProcess p = Dist.start("bad-flag", Map.of(), null, "--no-such-flag")) {
      assertThat(p.awaitExit(Duration.ofSeconds(20))).isEqualTo(2);
      assertThat(String.join("\n", p.stderr())).contains("Unknown option: '--no-such-flag'");
    }
  }

  @Test
  void backendJvmExitsOnOutOfMemoryInsteadOfLivingOnWithoutItsServer(@TempDir Path tmp)
      throws Exception {
    try (BackendProcess backend = BackendProcess.start(tmp.resolve("b.db"), tmp)) {
      String cmdline =
          Files.readString(Path.of("/proc/" + backend.process().pid() + "/cmdline"))
              .replace('\0', ' ');
      assertThat(cmdline)
          .as("the backend JVM's command line")
          .contains("-XX:+ExitOnOutOfMemoryError");
    }
  }
}
