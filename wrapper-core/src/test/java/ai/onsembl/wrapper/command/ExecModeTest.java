package ai.onsembl.wrapper.command;

import static ai.onsembl.wrapper.command.Requests.request;
import static org.assertj.core.api.Assertions.assertThat;

import ai.onsembl.protocol.CommandAck;
import ai.onsembl.protocol.CommandComplete;
import ai.onsembl.protocol.CommandStatus;
import ai.onsembl.protocol.OutputStats;
import ai.onsembl.protocol.Payload;
import ai.onsembl.protocol.StreamType;
import ai.onsembl.protocol.TerminalOutput;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Exec mode with real processes: the mock agent, and {@code sh -c} where a test needs a shell. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ExecModeTest {
  private final RecordingOutbound out = new RecordingOutbound();
  private CommandRunner runner;

  @AfterEach
  void stopRunner() {
    if (runner != null) {
      runner.close();
    }
  }

  private CommandRunner runner(CommandSettings settings) {
    runner = new CommandRunner(settings, out, () -> "agent-1", null);
    return runner;
  }

  @Test
  void echoGoesAckReceivedExecutingOutputComplete() {
    runner(Requests.mockExec()).onCommandRequest(request("c1", "hello world"));

    CommandComplete done = out.awaitComplete("c1");
    List<Payload> frames = out.framesFor("c1");
    assertThat(frames)
        .first()
        .isEqualTo(
            new CommandAck(
                "c1", "agent-1", ai.onsembl.protocol.EnumValue.of(CommandStatus.RECEIVED), null));
    assertThat(((CommandAck) frames.get(1)).status().value()).isEqualTo(CommandStatus.EXECUTING);
    assertThat(frames.subList(2, frames.size() - 1)).allMatch(f -> f instanceof TerminalOutput);
    assertThat(frames).last().isEqualTo(done);
    assertThat(out.textOf("c1", StreamType.STDOUT)).isEqualTo("echo: hello world\n");
    assertThat(done.status().value()).isEqualTo(CommandStatus.COMPLETED);
    assertThat(done.exitCode()).isZero();
    assertThat(done.error()).isNull();
    assertThat(done.executionTime()).isNotNull().isGreaterThanOrEqualTo(0L);
    assertThat(done.outputStats()).isEqualTo(new OutputStats(1L, 1L, 0L));
    assertThat(done.agentId()).isEqualTo("agent-1");
  }

  @Test
  void textIsReadFromCommandWhenContentIsAbsent() {
    runner(Requests.mockExec()).onCommandRequest(Requests.commandOnly("c1", "from command field"));

    assertThat(out.awaitComplete("c1").status().value()).isEqualTo(CommandStatus.COMPLETED);
    assertThat(out.textOf("c1", StreamType.STDOUT)).isEqualTo("echo: from command field\n");
  }

  @Test
  void nonZeroExitCompletesFailedWithTheExitCode() {
    runner(Requests.mockExec()).onCommandRequest(request("c1", "fail 3"));

    CommandComplete done = out.awaitComplete("c1");
    assertThat(done.status().value()).isEqualTo(CommandStatus.FAILED);
    assertThat(done.exitCode()).isEqualTo(3);
    assertThat(done.error()).isEqualTo("exit code 3");
    assertThat(out.textOf("c1", StreamType.STDERR)).contains("exit code 3");
    assertThat(done.outputStats()).isEqualTo(new OutputStats(1L, 0L, 1L));
  }

  @Test
  void stdoutAndStderrAreKeptApartInTheirOrder() {
    runner(Requests.shellExec())
        .onCommandRequest(
            request(
                "c1",
                "echo out1; sleep 0.1; echo err1 >&2; sleep 0.1; echo out2; sleep 0.1; printf 'err2' >&2"));

    CommandComplete done = out.awaitComplete("c1");
    assertThat(out.textOf("c1", StreamType.STDOUT)).isEqualTo("out1\nout2\n");
    assertThat(out.textOf("c1", StreamType.STDERR)).isEqualTo("err1\nerr2");
    List<String> order =
        out.outputsFor("c1").stream().map(t -> t.streamType() + ":" + t.content()).toList();
    assertThat(order)
        .containsExactly("STDOUT:out1\n", "STDERR:err1\n", "STDOUT:out2\n", "STDERR:err2");
    assertThat(done.outputStats()).isEqualTo(new OutputStats(4L, 2L, 2L));
  }

  @Test
  void tenThousandLinesArriveCompleteInOrderCoalescedIntoFewFrames() {
    runner(Requests.mockExec()).onCommandRequest(request("c1", "print 10000 lines"));

    CommandComplete done = out.awaitComplete("c1");
    String expected =
        IntStream.rangeClosed(1, 10_000)
            .mapToObj(i -> "line " + i + "\n")
            .collect(Collectors.joining());
    List<TerminalOutput> chunks = out.outputsFor("c1");
    assertThat(out.textOf("c1", StreamType.STDOUT)).isEqualTo(expected);
    assertThat(chunks.stream().map(TerminalOutput::sequence).toList())
        .isEqualTo(IntStream.rangeClosed(1, chunks.size()).mapToObj(i -> (long) i).toList());
    assertThat(chunks).hasSizeLessThan(200);
    assertThat(chunks)
        .allMatch(
            t ->
                t.content().getBytes(java.nio.charset.StandardCharsets.UTF_8).length
                    <= OutputStreamer.MAX_CHUNK_BYTES);
    assertThat(done.outputStats()).isEqualTo(new OutputStats(10_000L, 10_000L, 0L));
  }

  @Test
  void promptIsPassedLiterallyAsOneArgument(@TempDir Path dir) throws Exception {
    Path marker = dir.resolve("pwned");
    String prompt =
        "$(touch " + marker + "); rm -rf " + dir.resolve("keep") + " `touch " + marker + "` *";
    Files.createDirectory(dir.resolve("keep"));
    runner(Requests.mockExec()).onCommandRequest(request("c1", prompt));
    assertThat(out.awaitComplete("c1").status().value()).isEqualTo(CommandStatus.COMPLETED);
    assertThat(out.textOf("c1", StreamType.STDOUT)).isEqualTo("echo: " + prompt + "\n");

    // The same prompt through a template that counts and prints its arguments.
    runner.close();
    runner =
        new CommandRunner(
            CommandSettings.exec(
                List.of("sh", "-c", "printf '%s|' \"$#\" \"$1\"", "sh", ExecTemplates.PROMPT)),
            out,
            () -> "agent-1",
            null);
    runner.onCommandRequest(request("c2", prompt));
    out.awaitComplete("c2");
    assertThat(out.textOf("c2", StreamType.STDOUT)).isEqualTo("1|" + prompt + "|");
    assertThat(marker).doesNotExist();
    assertThat(dir.resolve("keep")).isDirectory();
  }

  @Test
  void missingProgramCompletesFailedNamingIt() {
    runner(CommandSettings.exec(List.of("no-such-agent-xyz", ExecTemplates.PROMPT)))
        .onCommandRequest(request("c1", "hi"));

    CommandComplete done = out.awaitComplete("c1");
    assertThat(done.status().value()).isEqualTo(CommandStatus.FAILED);
    assertThat(done.error()).isEqualTo("could not start no-such-agent-xyz: not found on PATH");
  }

  @Test
  void commandsRunInTheWorkingDirectoryWithTheExtraEnvironment(@TempDir Path dir) throws Exception {
    Path real = dir.toRealPath();
    runner(
            Requests.shellExec()
                .withWorkingDirectory(real)
                .withEnvironment(java.util.Map.of("ONSEMBL_TEST_VAR", "v 1")))
        .onCommandRequest(request("c1", "pwd; printf '%s\\n' \"$ONSEMBL_TEST_VAR\""));

    assertThat(out.awaitComplete("c1").status().value()).isEqualTo(CommandStatus.COMPLETED);
    assertThat(out.textOf("c1", StreamType.STDOUT)).isEqualTo(real + "\nv 1\n");
  }

  @Test
  void promptLimitCountsUtf8BytesNotChars() {
    runner(Requests.mockExec().withMaxPromptBytes(10));
    runner.onCommandRequest(request("ok", "ééééé"));
    runner.onCommandRequest(request("big", "éééééé"));

    assertThat(out.awaitComplete("ok").status().value()).isEqualTo(CommandStatus.COMPLETED);
    CommandComplete big = out.awaitComplete("big");
    assertThat(big.status().value()).isEqualTo(CommandStatus.FAILED);
    assertThat(big.error())
        .startsWith(
            "prompt too large: 12 bytes, the limit is 10 bytes (exec mode passes the prompt");
  }

  @Test
  void theWrappersBackendTokenIsNotPassedToCommands() throws Exception {
    // Only a fresh JVM can hold ONSEMBL_TOKEN in its environment: run the runner there.
    ProcessBuilder pb =
        new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp",
            System.getProperty("java.class.path"),
            TokenProbe.class.getName());
    pb.environment().put("ONSEMBL_TOKEN", "s3cret-token");
    pb.redirectErrorStream(true);
    Process p = pb.start();
    String printed;
    try {
      printed =
          new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    } finally {
      p.destroyForcibly();
    }

    assertThat(printed).contains("command saw [unset][x]").doesNotContain("s3cret-token");
  }
}
