package ai.onsembl.wrapper.internal.link;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onsembl.backend.BackendConfig;
import ai.onsembl.backend.junit.RecordedFrame;
import ai.onsembl.backend.junit.ServerEffect;
import ai.onsembl.backend.junit.TestBackend;
import ai.onsembl.protocol.AgentControl;
import ai.onsembl.protocol.AgentStatus;
import ai.onsembl.protocol.AgentType;
import ai.onsembl.protocol.Capabilities;
import ai.onsembl.protocol.EnumValue;
import ai.onsembl.protocol.HealthMetrics;
import ai.onsembl.protocol.MessageType;
import ai.onsembl.wrapper.AgentExitException;
import ai.onsembl.protocol.AgentConnect;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * 100 links of the wrapper's own link code, against the reference backend (the public test fixture), all
 * dropped at once: full jitter spreads their reconnect attempts over the backoff instead of a thundering
 * herd, and every one comes back ONLINE.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ReconnectJitterTest {
  private static final int N = 100;

  @Test
  void hundredLinksDroppedAtOnceReconnectSpreadByJitter() throws Exception {
    try (TestBackend backend = TestBackend.start(BackendConfig.forTests()
        .withHeartbeat(Duration.ofSeconds(15), Duration.ofSeconds(45)).withRateLimits(1000, 50))) {
      List<BackendLink> links = new ArrayList<>();
      Map<String, Long> backOnline = new ConcurrentHashMap<>();
      long[] cutAt = {Long.MAX_VALUE};
      try {
        for (int i = 0; i < N; i++) {
          String name = "jitter-" + i;
          LinkSettings settings = new LinkSettings(URI.create(backend.wsUrl() + "/ws/agent"), name,
              backend.agentToken(), Duration.ofSeconds(15), Duration.ofSeconds(1), Duration.ofSeconds(30),
              Duration.ofSeconds(10), Duration.ofSeconds(10), null, 1000, 8L << 20);
          BackendLink link = new BackendLink(settings, new LinkListener() {
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
          }, id -> new AgentConnect(id, name, EnumValue.of(AgentType.CUSTOM), "test", "localhost",
              Capabilities.of(0, false, false)), () -> new HealthMetrics(0.0, 0.0, 0L, 0L, 0.0), new Random());
          links.add(link);
          link.start();
        }
        Awaitility.await(N + " links online").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
            .until(() -> links.stream().allMatch(BackendLink::isOnline));
        // forget the first connects: only frames after the cut count
        while (backend.takeFrame(Duration.ZERO) != null) {
          // drain
        }
        cutAt[0] = System.nanoTime();
        long cutAtMillis = System.currentTimeMillis();
        for (int i = 0; i < N; i++) {
          backend.apply(new ServerEffect.DropConnection("jitter-" + i));
        }
        Awaitility.await(N + " links back online").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
            .until(() -> backOnline.size() == N);

        // the first AGENT_CONNECT of each agent after the cut: when its first reconnect attempt got through
        Map<String, Long> firstConnect = new HashMap<>();
        for (RecordedFrame f = backend.takeFrame(Duration.ZERO); f != null; f = backend.takeFrame(Duration.ZERO)) {
          if (f.type() == MessageType.AGENT_CONNECT) {
            firstConnect.putIfAbsent(f.message().payload(AgentConnect.class).agentId(),
                f.receivedAt().toEpochMilli() - cutAtMillis);
          }
        }
        List<Long> attempts = firstConnect.values().stream().sorted().toList();
        List<Long> online = backOnline.values().stream().sorted()
            .map(t -> TimeUnit.NANOSECONDS.toMillis(t - cutAt[0])).toList();
        String report = "reconnect spread of " + N + " links dropped at once (ms after the cut): first connects min "
            + attempts.get(0) + " / median " + attempts.get(attempts.size() / 2) + " / max "
            + attempts.get(attempts.size() - 1) + "; back ONLINE min " + online.get(0) + " / median "
            + online.get(N / 2) + " / max " + online.get(N - 1);
        System.out.println(report);
        assertThat(attempts).as(report).hasSize(N);
        // full jitter over [0, 1 s]: spread over most of the second, not a thundering herd
        assertThat(attempts.get(N - 1) - attempts.get(0)).as(report).isGreaterThan(500);
        assertThat(attempts.get(N / 2)).as(report).isBetween(150L, 1500L);
        assertThat(attempts.get(N - 1)).as(report).isLessThan(3000);
        for (int i = 0; i < N; i++) {
          backend.awaitAgentStatus("jitter-" + i, AgentStatus.ONLINE, Duration.ofSeconds(20));
        }
      } finally {
        links.forEach(BackendLink::shutdown);
      }
    }
  }
}
