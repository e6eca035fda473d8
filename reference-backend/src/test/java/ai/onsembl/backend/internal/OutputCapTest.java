package ai.onsembl.backend.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.onsembl.backend.BackendConfig;
import ai.onsembl.backend.ReferenceBackend;
import ai.onsembl.protocol.EnumValue;
import ai.onsembl.protocol.StreamType;
import ai.onsembl.protocol.TerminalOutput;
import ai.onsembl.testing.ProtocolClient;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Terminal output is capped per command (oldest dropped, and said so) and pruned after the
 * retention.
 */
@Timeout(120)
class OutputCapTest {
  private static final long MIB = 1024 * 1024;

  @TempDir Path tmp;

  private static JsonNode get(ReferenceBackend b, String path) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(b.httpUrl() + path))
                    .header("Authorization", "Bearer " + b.config().dashboardToken())
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(path).isEqualTo(200);
    return new ObjectMapper().readTree(r.body());
  }

  private static long dbBytes(Path db) throws Exception {
    long n = 0;
    for (String suffix : new String[] {"", "-wal", "-shm"}) {
      Path p = Path.of(db + suffix);
      if (Files.exists(p)) {
        n += Files.size(p);
      }
    }
    return n;
  }

  @Test
  void oneAgentStreamingFlatOutForTenSecondsLeavesTheDatabaseUnder96MiBAndTheApiSaysWhatWasDropped()
      throws Exception {
    Path db = tmp.resolve("output.db");
    try (ReferenceBackend backend =
        ReferenceBackend.start(
            BackendConfig.forTests()
                .withDatabasePath(db.toString())
                .withRateLimits(100_000, 50)
                .withHeartbeat(Duration.ofSeconds(5), Duration.ofSeconds(60)))) {
      ProtocolClient agent =
          ProtocolClient.agent(
              URI.create(backend.wsUrl() + "/ws/agent?token=" + backend.config().agentToken()),
              "firehose");
      try {
        agent.answerPings = true;
        String chunk = "y".repeat(16 * 1024 - 1) + "\n";
        long sent = 0;
        long seq = 0;
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < end) {
          // as fast as the backend takes it: keep at most ~4 MiB unsent on our side
          if (agent.getConnection().hasBufferedData() && seq % 256 == 0) {
            await()
                .atMost(Duration.ofSeconds(30))
                .until(() -> !agent.getConnection().hasBufferedData());
          }
          agent.send(
              new TerminalOutput(
                  "firehose", "firehose", EnumValue.of(StreamType.STDOUT), chunk, ++seq, null));
          sent += chunk.length();
        }
        long last = seq;
        await()
            .atMost(Duration.ofSeconds(60))
            .until(
                () ->
                    get(backend, "/api/commands/firehose?outputLimit=100000")
                        .path("output")
                        .findValues("sequence")
                        .stream()
                        .anyMatch(n -> n.asLong() == last));
        assertThat(sent).as("streamed more than the cap").isGreaterThan(32 * MIB);
        JsonNode view = get(backend, "/api/commands/firehose?outputLimit=100000");
        assertThat(view.path("outputTruncated").asBoolean()).isTrue();
        long kept = 0;
        for (JsonNode o : view.path("output")) {
          kept += o.path("content").asText().length();
        }
        assertThat(kept).as("output kept").isLessThanOrEqualTo(16 * MIB).isGreaterThan(15 * MIB);
        assertThat(view.path("outputDroppedBytes").asLong())
            .as("dropped + kept = sent")
            .isEqualTo(sent - kept);
        assertThat(dbBytes(db))
            .as("database file with its WAL, after %d MiB streamed", sent / MIB)
            .isLessThan(96 * MIB);
      } finally {
        agent.close();
      }
    }
  }

  @Test
  void outputOfACommandFinishedLongerAgoThanTheRetentionIsDeleted() throws Exception {
    try (ReferenceBackend backend =
        ReferenceBackend.start(
            BackendConfig.forTests()
                .withDatabasePath(tmp.resolve("retention.db").toString())
                .withOutputLimits(new BackendConfig.OutputLimits(MIB, Duration.ofMillis(1))))) {
      BackendCore core = BackendAccess.bridge().core(backend);
      ProtocolClient agent =
          ProtocolClient.agent(
              URI.create(backend.wsUrl() + "/ws/agent?token=" + backend.config().agentToken()),
              "done");
      try {
        String id =
            core.onWorkerAndWait(
                () ->
                    core.commandService
                        .request("done", null, "echo hi", "test")
                        .value()
                        .commandId(),
                Duration.ofSeconds(10));
        agent.send(
            new TerminalOutput(id, "done", EnumValue.of(StreamType.STDOUT), "hi\n", 1L, null));
        agent.send(
            new ai.onsembl.protocol.CommandComplete(
                id,
                "done",
                EnumValue.of(ai.onsembl.protocol.CommandStatus.COMPLETED),
                null,
                5L,
                null,
                0,
                null));
        await()
            .atMost(Duration.ofSeconds(10))
            .until(
                () ->
                    core.commands.find(id).orElseThrow().completedAt() != null
                        && !core.commands.output(id, 10).isEmpty());
        // session output (not a finished command) stays
        agent.send(
            new TerminalOutput(
                "done", "done", EnumValue.of(StreamType.STDOUT), "prompt$ ", 1L, null));
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> !core.commands.output("done", 10).isEmpty());
        await()
            .pollDelay(Duration.ofMillis(5))
            .atMost(Duration.ofSeconds(10))
            .until(
                () -> {
                  core.onWorkerAndWait(
                      () -> {
                        core.pruneOutput();
                        return null;
                      },
                      Duration.ofSeconds(10));
                  return core.commands.output(id, 10).isEmpty();
                });
        assertThat(core.commands.output("done", 10))
            .as("session output is not a finished command")
            .isNotEmpty();
        assertThat(core.commands.find(id)).as("the command itself stays").isPresent();
      } finally {
        agent.close();
      }
    }
  }
}
