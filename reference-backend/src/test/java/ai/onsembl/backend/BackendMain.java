package ai.onsembl.backend;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * A backend in its own JVM for the SIGKILL test: {@code BackendMain <db file>}; tokens "a" and "d".
 */
public final class BackendMain {
  private BackendMain() {}

  public static void main(String[] args) throws InterruptedException {
    ReferenceBackend backend =
        ReferenceBackend.start(
            BackendConfig.defaults()
                .withPorts(0, 0)
                .withDatabasePath(args[0])
                .withAgentToken("a")
                .withDashboardToken("d")
                .withHeartbeat(Duration.ofMillis(500), Duration.ofSeconds(5)));
    System.out.println(ReadyLine.of(backend));
    System.out.flush();
    new CountDownLatch(1).await();
  }
}
