package ai.onsembl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onsembl.wrapper.run.RunFiles;
import ai.onsembl.wrapper.run.RunRecord;
import ai.onsembl.wrapper.testing.RunningProcess;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class StatusCommandTest {
  @TempDir Path tmp;
  private final StringWriter out = new StringWriter();

  private int run(String... args) {
    return OnsemblAgent.newCommandLine()
        .setOut(new PrintWriter(out, true))
        .setErr(new PrintWriter(new StringWriter()))
        .execute(args);
  }

  @BeforeEach
  void records() throws Exception {
    long self = ProcessHandle.current().pid();
    RunFiles files = new RunFiles(tmp);
    files.write(
        new RunRecord(
            "alive-1",
            "uuid-1",
            "a",
            self,
            RunRecord.startMillisOf(self),
            "ws://127.0.0.1:3001/ws/agent",
            "ONLINE",
            System.currentTimeMillis() - 65_000,
            1,
            1,
            0,
            System.currentTimeMillis()));
    long gone;
    try (RunningProcess p = RunningProcess.start("true", "true")) {
      p.awaitExit(Duration.ofSeconds(10));
      gone = p.pid();
    }
    files.write(
        new RunRecord(
            "dead-2",
            null,
            "b",
            gone,
            0,
            "ws://127.0.0.1:3001/ws/agent",
            "ONLINE",
            System.currentTimeMillis(),
            2,
            2,
            0,
            System.currentTimeMillis()));
  }

  @Test
  void listsRunningWrappersAndReportsFilesOfDeadWrappersAsStale() {
    assertThat(run("status", "--state-dir", tmp.toString())).isZero();
    String text = out.toString();
    assertThat(text).contains("alive-1 (uuid-1)").contains("ONLINE").contains("1m5s");
    assertThat(text).containsPattern("dead-2 +\\d+ +STALE \\(was ONLINE\\)");
  }

  @Test
  void jsonHasOneObjectPerWrapper() throws Exception {
    assertThat(run("status", "--json", "--state-dir", tmp.toString())).isZero();
    JsonNode list = new ObjectMapper().readTree(out.toString());
    assertThat(list).hasSize(2);
    assertThat(list.get(0).get("agentId").asText()).isEqualTo("alive-1");
    assertThat(list.get(0).get("running").asBoolean()).isTrue();
    assertThat(list.get(0).get("state").asText()).isEqualTo("ONLINE");
    assertThat(list.get(0).get("uptimeMillis").asLong()).isGreaterThanOrEqualTo(65_000);
    assertThat(list.get(1).get("state").asText()).isEqualTo("STALE");
    assertThat(list.get(1).get("running").asBoolean()).isFalse();
  }

  @Test
  void stateDirComesFromTheEnvironment() {
    StatusCommand cmd = new StatusCommand();
    cmd.env = Map.of("ONSEMBL_STATE_DIR", tmp.toString());
    int code = new picocli.CommandLine(cmd).setOut(new PrintWriter(out, true)).execute();
    assertThat(code).isZero();
    assertThat(out.toString()).contains("alive-1");
  }
}
