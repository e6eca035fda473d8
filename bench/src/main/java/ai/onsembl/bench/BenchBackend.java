package ai.onsembl.bench;

import ai.onsembl.backend.BackendConfig;
import ai.onsembl.backend.ReferenceBackend;
import java.util.concurrent.CountDownLatch;

/**
 * The reference backend with rate limits the packaged CLI does not expose, for {@link OutputBench}:
 * prints the same ready line as {@code onsembl-agent backend} and runs until SIGTERM. Args: agent
 * msgs/s, dashboard msgs/s.
 */
public final class BenchBackend {
  private BenchBackend() {}

  public static void main(String[] args) throws InterruptedException {
    BackendConfig config =
        BackendConfig.defaults()
            .withPorts(0, 0)
            .withAgentToken(BackendProcess.AGENT_TOKEN)
            .withDashboardToken(BackendProcess.DASHBOARD_TOKEN)
            .withRateLimits(Integer.parseInt(args[0]), Integer.parseInt(args[1]));
    ReferenceBackend backend = ReferenceBackend.start(config);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  backend.close();
                  stopped.countDown();
                },
                "bench-backend-stop"));
    System.out.println(ai.onsembl.backend.ReadyLine.of(backend));
    System.out.flush();
    stopped.await();
  }
}
