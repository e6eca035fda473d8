package ai.onsembl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onsembl.wrapper.run.RunFiles;
import ai.onsembl.wrapper.run.RunRecord;
import ai.onsembl.wrapper.testing.RunningProcess;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Stop against real processes standing in for wrappers (they only need to die on SIGTERM). */
@Timeout(30)
class StopCommandTest {
  @TempDir Path tmp;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  private final List<RunningProcess> processes = new ArrayList<>();

  @AfterEach
  void kill() {
    processes.forEach(RunningProcess::close);
  }

  private int run(String... args) {
    return OnsemblAgent.newCommandLine()
        .setOut(new PrintWriter(out, true))
        .setErr(new PrintWriter(err, true))
        .execute(args);
  }

  private RunningProcess fakeWrapper(String agentId, String... command) throws Exception {
    RunningProcess p = RunningProcess.start(agentId, command);
    processes.add(p);
    new RunFiles(tmp)
        .write(
            new RunRecord(
                agentId,
                null,
                agentId,
                p.pid(),
                RunRecord.startMillisOf(p.pid()),
                "ws://x",
                "ONLINE",
                System.currentTimeMillis(),
                -1,
                -1,
                0,
                System.currentTimeMillis()));
    return p;
  }

  @Test
  void stopByAgentIdSendsSigtermAndWaitsForTheExit() throws Exception {
    RunningProcess a = fakeWrapper("agent-a", "sleep", "60");
    RunningProcess b = fakeWrapper("agent-b", "sleep", "60");
    assertThat(run("stop", "--agent-id", "agent-a", "--state-dir", tmp.toString())).isZero();
    assertThat(a.awaitExit(Duration.ofSeconds(5))).isEqualTo(143);
    assertThat(b.isAlive()).isTrue();
    assertThat(out.toString()).contains("stopping agent agent-a").contains("stopped agent agent-a");
  }

  @Test
  void stopAllStopsEveryRunningWrapper() throws Exception {
    RunningProcess a = fakeWrapper("agent-a", "sleep", "60");
    RunningProcess b = fakeWrapper("agent-b", "sleep", "60");
    assertThat(run("stop", "--all", "--state-dir", tmp.toString())).isZero();
    assertThat(a.awaitExit(Duration.ofSeconds(5))).isEqualTo(143);
    assertThat(b.awaitExit(Duration.ofSeconds(5))).isEqualTo(143);
  }

  @Test
  void severalRunningWithoutAChoiceIsAUsageError() throws Exception {
    fakeWrapper("agent-a", "sleep", "60");
    fakeWrapper("agent-b", "sleep", "60");
    assertThat(run("stop", "--state-dir", tmp.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("--agent-id ID or --all");
  }

  @Test
  void unknownAgentIdIsExitOne() {
    assertThat(run("stop", "--agent-id", "nobody", "--state-dir", tmp.toString())).isEqualTo(1);
    assertThat(err.toString()).contains("no running wrapper with agent id nobody");
  }

  @Test
  void aWrapperThatIgnoresSigtermIsReportedAfterTheTimeout() throws Exception {
    fakeWrapper("stubborn", "sh", "-c", "trap '' TERM; while :; do sleep 0.1; done");
    assertThat(
            run(
                "stop",
                "--agent-id",
                "stubborn",
                "--timeout",
                "500ms",
                "--state-dir",
                tmp.toString()))
        .isEqualTo(1);
    assertThat(err.toString()).contains("still running after 500 ms");
  }
}
