package ai.onsembl.e2e.faults;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onsembl.e2e.BackendProcess;
import ai.onsembl.e2e.LeakChecks;
import ai.onsembl.wrapper.testing.RunningProcess;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backend process killed with SIGKILL and restarted on the same ports and database while real
 * wrappers run commands. (100 links cut at once, to measure how jitter spreads their reconnects, is
 * wrapper-core's ReconnectJitterTest.)
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
@ExtendWith({LeakChecks.class, ThreadLeakCheck.class, TempFilesCheck.class})
class BackendCrashIT {
  private static final Pattern GHOSTS = Pattern.compile("(?m)^agent_ghost_count\\s+([0-9.eE+-]+)");
  @TempDir Path home;

  @Test
  void sigkillAndRestartCancelsRunningCommandsServerRestartedAndEveryWrapperReconnectsWithNoGhosts()
      throws Exception {
    Path db = home.resolve("b.db");
    BackendProcess first = BackendProcess.start(db, home);
    int wsPort = first.wsPort();
    int httpPort = first.httpPort();
    List<RunningProcess> wrappers = new ArrayList<>();
    BackendProcess second = null;
    try {
      List<String> names = List.of("crash-1", "crash-2", "crash-3");
      for (String n : names) {
        wrappers.add(Wrappers.start(home, first.wsUrl(), n, "--agent", "mock", "--mode", "exec"));
      }
      List<String> commands = new ArrayList<>();
      for (String n : names) {
        first.awaitAgent(n, "ONLINE", Duration.ofSeconds(30));
        commands.add(Wrappers.post(first, n, "sleep 20"));
      }
      for (String c : commands) {
        Wrappers.awaitCommand(first, c, "EXECUTING", Duration.ofSeconds(10));
      }

      // SIGKILL leaves the JVM no chance to delete the SQLite native library it extracted: a known
      // leak of
      // every crashed backend (RELIABILITY.md), removed here so the suite itself leaves nothing
      // behind.
      java.util.Set<Path> crashLeftovers = TempFilesCheck.tempFilesOf(first.process().pid());
      first.process().signal("KILL");
      assertThat(first.process().awaitExit(Duration.ofSeconds(10))).isEqualTo(137);
      long killedAt = System.nanoTime();
      assertThat(crashLeftovers.stream().filter(java.nio.file.Files::exists).toList())
          .as("temp files of the SIGKILLed backend still there")
          .isNotEmpty();
      for (Path p : crashLeftovers) {
        java.nio.file.Files.deleteIfExists(p);
        java.nio.file.Files.deleteIfExists(Path.of(p + ".lck"));
      }
      second = BackendProcess.startOn(wsPort, httpPort, db, home);
      TempFilesCheck.watch(second.process());

      for (String c : commands) {
        JsonNode cmd = second.get("/api/commands/" + c);
        assertThat(cmd.path("status").asText())
            .as("command %s after restart: %s", c, cmd)
            .isEqualTo("CANCELLED");
        assertThat(cmd.path("error").asText()).isEqualTo("Server restarted");
      }
      for (String n : names) {
        second.awaitAgent(n, "ONLINE", Duration.ofSeconds(45));
      }
      System.out.println(
          "backend crash: all "
              + names.size()
              + " wrappers ONLINE again "
              + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt)
              + " ms after the SIGKILL");
      for (RunningProcess w : wrappers) {
        assertThat(w.isAlive()).as("wrapper survived the backend crash").isTrue();
      }
      assertThat(ghosts(second)).as("agent_ghost_count after restart and reconnects").isZero();
      for (RunningProcess w : wrappers) {
        w.signal("TERM");
        assertThat(w.awaitExit(Duration.ofSeconds(15))).isEqualTo(143);
      }
      // the wrappers' own late COMMAND_COMPLETE (sent as they stopped the still running sleeps)
      // does not
      // overwrite the outcome the restart gave those commands
      for (String c : commands) {
        JsonNode cmd = second.get("/api/commands/" + c);
        assertThat(cmd.path("status").asText()).as(cmd.toString()).isEqualTo("CANCELLED");
        assertThat(cmd.path("error").asText()).as(cmd.toString()).isEqualTo("Server restarted");
      }
      assertThat(ghosts(second)).as("agent_ghost_count after the wrappers stopped").isZero();
    } finally {
      wrappers.forEach(RunningProcess::close);
      first.close();
      if (second != null) {
        TempFilesCheck.graceful(second).close();
        second.close();
      }
    }
  }

  private static double ghosts(BackendProcess backend) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(backend.httpUrl() + "/metrics"))
                    .header("Authorization", "Bearer " + BackendProcess.DASHBOARD_TOKEN)
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    Matcher m = GHOSTS.matcher(r.body());
    assertThat(m.find()).as("agent_ghost_count in /metrics:\n" + r.body()).isTrue();
    return Double.parseDouble(m.group(1));
  }
}
