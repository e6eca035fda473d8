package ai.onsembl.wrapper.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunFilesTest {
  @TempDir Path state;

  @Test
  void aRecordReadsBackEqual() {
    RunFiles files = new RunFiles(state);
    RunRecord r =
        new RunRecord(
            "a/1", null, "name \"q\"", 12, 34, "ws://h:1/ws/agent", "ONLINE", 56, 78, 79, 80, 90);
    files.write(r);
    assertThat(files.read("a/1")).contains(r);
    assertThat(files.list()).extracting(RunFiles.Entry::record).containsExactly(r);
  }

  @Test
  void unknownFieldsAreSkippedAndAbsentOnesAreEmpty() throws Exception {
    Files.createDirectories(state.resolve("run"));
    Files.writeString(
        state.resolve("run/x.json"),
        "{\"agentId\":\"x\",\"future\":{\"a\":[1,2]},\"pid\":7," + "\"name\":null,\"more\":[{}]}");
    RunRecord r = new RunFiles(state).read("x").orElseThrow();
    assertThat(r.agentId()).isEqualTo("x");
    assertThat(r.pid()).isEqualTo(7);
    assertThat(r.name()).isNull();
    assertThat(r.childPid()).isZero();
  }

  @Test
  void aBrokenFileIsNoRecord() throws Exception {
    Files.createDirectories(state.resolve("run"));
    Files.writeString(state.resolve("run/b.json"), "{\"agentId\":\"b\",\"pid\":\"seven\"}");
    Files.writeString(state.resolve("run/c.json"), "{\"agentId\":");
    assertThat(new RunFiles(state).read("b")).isEmpty();
    assertThat(new RunFiles(state).read("c")).isEmpty();
  }

  @Test
  void statusJsonShowsTheSameFields() {
    RunRecord r = new RunRecord("a", "b", "n", 1, 2, "u", "ONLINE", 3, 4, 5, 6, 7);
    assertThat(RunFiles.toJson(r))
        .contains("\"agentId\" : \"a\"", "\"childPgid\" : 5", "\"updatedAtMillis\" : 7");
  }
}
