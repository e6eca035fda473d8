package ai.onsembl.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.onsembl.testing.ProtocolClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backend process limited to 256 open files, flooded with idle connections: Java-WebSocket used
 * to close its listening socket for good when accept() failed with "Too many open files".
 */
@Timeout(120)
class FdLimitTest {
  @TempDir Path dir;
  private Process process;
  private final List<Socket> idle = new ArrayList<>();

  @AfterEach
  void cleanUp() throws InterruptedException {
    closeIdle();
    if (process != null && process.isAlive()) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  private void closeIdle() {
    for (Socket s : idle) {
      try {
        s.close();
      } catch (IOException e) {
        // closed by the server
      }
    }
    idle.clear();
  }

  @Test
  void runningOutOfFileDescriptorsNeverClosesTheListeningSocket() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String cmd = "ulimit -n 256 && exec \"$0\" -Xmx128m -cp \"$1\" \"$2\" \"$3\"";
    process =
        new ProcessBuilder(
                "bash",
                "-c",
                cmd,
                java,
                System.getProperty("java.class.path"),
                BackendMain.class.getName(),
                dir.resolve("fd.db").toString())
            .redirectError(dir.resolve("backend.stderr").toFile())
            .start();
    ReadyLine ready = readyLine(process);
    int wsPort = URI.create(ready.wsUrl()).getPort();

    for (int i = 0; i < 400; i++) { // more than the process can hold
      Socket s = new Socket();
      idle.add(s);
      try {
        s.connect(new InetSocketAddress("127.0.0.1", wsPort), 5000);
      } catch (IOException e) {
        // refused or reset: the flood goes on regardless, as an attacker's would
      }
    }
    // Let the backend's selector go through every pending accept.
    await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> true);
    closeIdle();

    assertThat(process.isAlive()).as("backend still running; stderr:\n" + stderr()).isTrue();
    await()
        .atMost(Duration.ofSeconds(20))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              ProtocolClient agent =
                  ProtocolClient.agent(URI.create(ready.wsUrl() + "/ws/agent?token=a"), "fd-ok");
              agent.closeBounded(Duration.ofSeconds(2));
            });
    Http.Reply health = Http.get(ready.httpUrl(), "/healthz", null);
    assertThat(health.status()).isEqualTo(200);
    assertThat(health.json().get("webSocket").asText()).isEqualTo("up");
    assertThat(stderr()).contains("Refusing WebSocket connections").contains("open-file limit");
  }

  private String stderr() throws IOException {
    return Files.readString(dir.resolve("backend.stderr"));
  }

  private static ReadyLine readyLine(Process p) throws Exception {
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line =
        CompletableFuture.supplyAsync(
                () -> {
                  try {
                    return out.readLine();
                  } catch (IOException e) {
                    return null;
                  }
                })
            .get(30, TimeUnit.SECONDS);
    assertThat(line).as("first stdout line of the backend process").isNotNull();
    return ReadyLine.parse(line);
  }
}
