package ai.onsembl.wrapper.internal.link;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onsembl.protocol.AgentConnect;
import ai.onsembl.protocol.AgentControl;
import ai.onsembl.protocol.AgentType;
import ai.onsembl.protocol.Capabilities;
import ai.onsembl.protocol.EnumValue;
import ai.onsembl.protocol.HealthMetrics;
import ai.onsembl.protocol.MessageType;
import ai.onsembl.testing.ScriptedServer;
import ai.onsembl.wrapper.AgentExitException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * 100 links of the wrapper's own link code, against one scripted backend, all dropped at once (no
 * close handshake, as a cut network): full jitter spreads their reconnect attempts over the backoff
 * instead of a thundering herd, and every one comes back ONLINE.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ReconnectJitterTest {
  private static final int N = 100;

  @Test
  void hundredLinksDroppedAtOnceReconnectSpreadByJitter() throws Exception {
    ScriptedServer backend = new ScriptedServer().start();
    try {
      List<BackendLink> links = new ArrayList<>();
      Map<String, Long> backOnline = new ConcurrentHashMap<>();
      long[] cutAt = {Long.MAX_VALUE};
      try {
        for (int i = 0; i < N; i++) {
          String name = "jitter-" + i;
          LinkSettings settings =
              new LinkSettings(
                  URI.create(backend.uri() + "/ws/agent"),
                  name,
                  "token",
                  Duration.ofSeconds(15),
                  Duration.ofSeconds(1),
                  Duration.ofSeconds(30),
                  Duration.ofSeconds(10),
                  Duration.ofSeconds(10),
                  null,
                  1000,
                  8L << 20);
          BackendLink link =
              new BackendLink(
                  settings,
                  new LinkListener() {
                    @Override
                    public void online(String agentId, boolean firstTime) {
                      long now = System.nanoTime();
                      if (!firstTime && now > cutAt[0]) {
                        backOnline.putIfAbsent(name, now);
                      }
                    }

                    @Override
                    public void reconnecting(String why) {}

                    @Override
                    public void fatal(AgentExitException why) {}

                    @Override
                    public void control(AgentControl control) {}
                  },
                  id ->
                      new AgentConnect(
                          id,
                          name,
                          EnumValue.of(AgentType.CUSTOM),
                          "test",
                          "localhost",
                          Capabilities.of(0, false, false)),
                  () -> new HealthMetrics(0.0, 0.0, 0L, 0L, 0.0),
                  new Random());
          links.add(link);
          link.start();
        }
        Awaitility.await(N + " links online")
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(100))
            .until(() -> links.stream().allMatch(BackendLink::isOnline));
        int opensBefore = backend.connectionCount();
        cutAt[0] = System.nanoTime();
        backend.dropAll();
        Awaitility.await(N + " links back online")
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(100))
            .until(() -> backOnline.size() == N);

        // the first connections after the cut: when the reconnect attempts reached the server
        List<Long> attempts =
            backend.events().stream()
                .filter(e -> e.kind() == ScriptedServer.Kind.OPEN && e.connection() > opensBefore)
                .map(e -> TimeUnit.NANOSECONDS.toMillis(e.atNanos() - cutAt[0]))
                .sorted()
                .limit(N)
                .toList();
        List<Long> online =
            backOnline.values().stream()
                .sorted()
                .map(t -> TimeUnit.NANOSECONDS.toMillis(t - cutAt[0]))
                .toList();
        String report =
            "reconnect spread of "
                + N
                + " links dropped at once (ms after the cut): first attempts min "
                + attempts.get(0)
                + " / median "
                + attempts.get(attempts.size() / 2)
                + " / max "
                + attempts.get(attempts.size() - 1)
                + "; back ONLINE min "
                + online.get(0)
                + " / median "
                + online.get(N / 2)
                + " / max "
                + online.get(N - 1);
        System.out.println(report);
        assertThat(attempts).as(report).hasSize(N);
        // full jitter over [0, 1 s]: spread over most of the second, not a thundering herd
        assertThat(attempts.get(N - 1) - attempts.get(0)).as(report).isGreaterThan(500);
        assertThat(attempts.get(N / 2)).as(report).isBetween(150L, 1500L);
        assertThat(attempts.get(N - 1)).as(report).isLessThan(3000);
        assertThat(backend.frames(MessageType.AGENT_CONNECT))
            .as("each link connected twice")
            .hasSize(2 * N);
      } finally {
        links.forEach(BackendLink::shutdown);
      }
    } finally {
      backend.close();
    }
  }
}
