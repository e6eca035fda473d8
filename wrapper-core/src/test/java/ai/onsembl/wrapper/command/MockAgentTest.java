package ai.onsembl.wrapper.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.onsembl.wrapper.process.ProcessTree;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The mock agent as a program: its prompt grammar in both modes and its signal behaviour. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MockAgentTest {
  private final List<Process> started = new ArrayList<>();
  private final List<Long> pidsToReap = new ArrayList<>();

  @AfterEach
  void cleanUp() {
    for (Process p : started) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
    pidsToReap.forEach(Pids::killIfRunning);
  }

  private record Result(int exitCode, String stdout, String stderr) {}

  private Process start(List<String> command) throws IOException {
    Process p = new ProcessBuilder(command).start();
    started.add(p);
    return p;
  }

  private Result exec(String prompt) throws Exception {
    return run(List.of(Requests.mockAgent().toString(), "-p", prompt), "");
  }

  private Result run(List<String> command, String stdin) throws Exception {
    Process p = start(command);
    CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
    CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
    try (OutputStream in = p.getOutputStream()) {
      in.write(stdin.getBytes(StandardCharsets.UTF_8));
    }
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("mock agent ended within 30 s").isTrue();
    return new Result(p.exitValue(), out.get(10, TimeUnit.SECONDS), err.get(10, TimeUnit.SECONDS));
  }

  private static String read(java.io.InputStream in) {
    try {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void execModeEchoesAnyOtherPromptLiterally(@TempDir Path dir) throws Exception {
    String prompt = "fix the bug in $(touch " + dir.resolve("x") + ") `id` * ; exit 9 | \\n";
    Result r = exec(prompt);

    assertThat(r).isEqualTo(new Result(0, "echo: " + prompt + "\n", ""));
    assertThat(dir.resolve("x")).doesNotExist();
  }

  @Test
  void execModeUnderstandsItsPrompts() throws Exception {
    assertThat(exec("sleep 0.1")).isEqualTo(new Result(0, "slept 0.1\n", ""));
    assertThat(exec("fail 3"))
        .isEqualTo(new Result(3, "", "error: mock agent failing with exit code 3\n"));
    assertThat(exec("exit 7")).isEqualTo(new Result(7, "", ""));
    assertThat(exec("print 3 lines")).isEqualTo(new Result(0, "line 1\nline 2\nline 3\n", ""));
    assertThat(exec("stderr hello  there")).isEqualTo(new Result(0, "", "hello  there\n"));
    assertThat(exec("sleep forever")).isEqualTo(new Result(0, "echo: sleep forever\n", ""));
    assertThat(exec("print many lines")).isEqualTo(new Result(0, "echo: print many lines\n", ""));
  }

  @Test
  void printTenThousandLinesPrintsThemAllInOrder() throws Exception {
    String expected =
        IntStream.rangeClosed(1, 10_000)
            .mapToObj(i -> "line " + i + "\n")
            .collect(Collectors.joining());
    assertThat(exec("print 10000 lines").stdout()).isEqualTo(expected);
  }

  @Test
  void sessionModePrintsABannerAndAnswersEachLineWithADoneMarker() throws Exception {
    Result r =
        run(
            List.of(Requests.mockAgent().toString()),
            "hello\nfail 2\nprint 2 lines\nstderr oops\n");

    assertThat(r.exitCode()).isZero();
    assertThat(r.stdout())
        .isEqualTo(
            "Mock agent running... (session mode: one prompt a line)\n"
                + "echo: hello\n[mock-agent] done exit=0\n"
                + "[mock-agent] done exit=2\n"
                + "line 1\nline 2\n[mock-agent] done exit=0\n"
                + "[mock-agent] done exit=0\n");
    assertThat(r.stderr()).isEqualTo("error: mock agent failing with exit code 2\noops\n");
    assertThat(SessionCompletion.MOCK_AGENT_MARKER.matcher("[mock-agent] done exit=2").matches())
        .isTrue();
  }

  @Test
  void sessionModeExitEndsTheAgentWithThatCode() throws Exception {
    Result r = run(List.of(Requests.mockAgent().toString()), "one\nexit 4\nnever read\n");

    assertThat(r.exitCode()).isEqualTo(4);
    assertThat(r.stdout()).doesNotContain("never read");
  }

  @Test
  void runsUnderDashAsWellAsItsShebang() throws Exception {
    String dash = ProcessTree.findOnPath("dash").orElse("/bin/sh");
    assertThat(run(List.of(dash, Requests.mockAgent().toString(), "-p", "print 2 lines"), ""))
        .isEqualTo(new Result(0, "line 1\nline 2\n", ""));
    assertThat(run(List.of(dash, Requests.mockAgent().toString(), "--bogus"), "").exitCode())
        .isEqualTo(2);
  }

  @Test
  void sigtermEndsItWith143AtOnceAndTakesItsSleepAlong() throws Exception {
    Process exec = start(List.of(Requests.mockAgent().toString(), "-p", "sleep 120"));
    long sleepPid = awaitSleepChild(exec);
    exec.destroy();
    assertThat(exec.waitFor(10, TimeUnit.SECONDS))
        .as("exec-mode agent ended after SIGTERM")
        .isTrue();
    assertThat(exec.exitValue()).isEqualTo(143);
    await().atMost(Duration.ofSeconds(10)).until(() -> !Pids.isRunning(sleepPid));

    Process session = start(List.of(Requests.mockAgent().toString()));
    session.getOutputStream().write("sleep 120\n".getBytes(StandardCharsets.UTF_8));
    session.getOutputStream().flush();
    awaitSleepChild(session);
    session.destroy();
    assertThat(session.waitFor(10, TimeUnit.SECONDS))
        .as("session-mode agent ended after SIGTERM")
        .isTrue();
    assertThat(session.exitValue()).isEqualTo(143);

    Process idle = start(List.of(Requests.mockAgent().toString()));
    await().atMost(Duration.ofSeconds(10)).until(() -> idle.getInputStream().available() > 0);
    idle.destroy();
    assertThat(idle.waitFor(10, TimeUnit.SECONDS))
        .as("idle session-mode agent ended after SIGTERM")
        .isTrue();
    assertThat(idle.exitValue()).isEqualTo(143);
  }

  @Test
  void ignoreSigtermSurvivesTermAndDiesOnKill() throws Exception {
    Process p = start(List.of(Requests.mockAgent().toString(), "-p", "ignore-sigterm"));
    await().atMost(Duration.ofSeconds(10)).until(() -> p.getInputStream().available() > 0);
    p.destroy();

    assertThat(p.waitFor(1, TimeUnit.SECONDS)).as("still running 1 s after SIGTERM").isFalse();
    p.destroyForcibly();
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(137);
  }

  @Test
  void spawnGrandchildStartsATermIgnoringSleepAndPrintsItsPid() throws Exception {
    Process p = start(List.of(Requests.mockAgent().toString(), "-p", "spawn-grandchild"));
    await().atMost(Duration.ofSeconds(10)).until(() -> p.getInputStream().available() > 0);
    String line =
        new String(
            p.getInputStream().readNBytes(p.getInputStream().available()), StandardCharsets.UTF_8);
    long grandchild = Pids.grandchildPid(line);
    pidsToReap.add(grandchild);

    assertThat(ProcessHandle.of(grandchild).flatMap(h -> h.info().command()).orElse(""))
        .endsWith("sleep");
    assertThat(ProcessTree.signal(grandchild, "TERM")).isTrue();
    assertThat(p.waitFor(1, TimeUnit.SECONDS)).as("exec mode waits for the grandchild").isFalse();
    assertThat(Pids.isRunning(grandchild)).as("grandchild survives SIGTERM").isTrue();
    assertThat(ProcessTree.signal(grandchild, "KILL")).isTrue();
    assertThat(p.waitFor(10, TimeUnit.SECONDS))
        .as("agent ends when its grandchild is gone")
        .isTrue();
  }

  @Test
  void scriptIsDependencyFree() throws Exception {
    String script = Files.readString(Requests.mockAgent());
    assertThat(script).startsWith("#!/bin/sh\n");
    // Only builtins plus sleep: no sed, awk, cat, date, seq or bash-only syntax.
    assertThat(script)
        .doesNotContain("sed ", "awk ", "cat ", "date ", "seq ", "[[", "$'", "function ", "local ");
  }

  private static long awaitSleepChild(Process p) {
    await("sleep child of " + p.pid())
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> p.descendants().anyMatch(d -> d.info().command().orElse("").endsWith("/sleep")));
    return p.descendants()
        .filter(d -> d.info().command().orElse("").endsWith("/sleep"))
        .findFirst()
        .orElseThrow()
        .pid();
  }
}
