package ai.onsembl.e2e.faults;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class that leaves threads behind in the test JVM: every thread alive after the class
 * that was not alive before it must end within a few seconds, except the JDK's own daemon pools
 * (the HTTP client's selector, the common fork-join pool, the process reaper, cleaners) and JUnit's
 * and surefire's.
 */
public final class ThreadLeakCheck implements BeforeAllCallback, AfterAllCallback {
  private static final List<String> JDK_DAEMON_POOLS =
      List.of(
          "HttpClient-",
          "ForkJoinPool",
          "process reaper",
          "Common-Cleaner",
          "InnocuousThread",
          "Attach Listener",
          "junit-",
          "surefire",
          "Notification Thread",
          "Signal Dispatcher",
          "Reference Handler",
          "Finalizer");
  private static final ExtensionContext.Namespace NS =
      ExtensionContext.Namespace.create(ThreadLeakCheck.class);

  @Override
  public void beforeAll(ExtensionContext context) {
    context.getStore(NS).put("before", Set.copyOf(Thread.getAllStackTraces().keySet()));
  }

  @Override
  @SuppressWarnings("unchecked")
  public void afterAll(ExtensionContext context) {
    Set<Thread> before = context.getStore(NS).get("before", Set.class);
    try {
      Awaitility.await("threads of " + context.getDisplayName() + " to end")
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> leaked(before).isEmpty());
    } catch (ConditionTimeoutException e) {
      String names =
          leaked(before).stream()
              .map(t -> t.getName() + (t.isDaemon() ? " (daemon)" : "") + " " + t.getState())
              .collect(Collectors.joining("\n"));
      throw new AssertionError(
          "expected no threads left by " + context.getDisplayName() + " but found:\n" + names);
    }
  }

  static List<Thread> leaked(Set<Thread> before) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && !before.contains(t) && t != Thread.currentThread())
        .filter(t -> !(t.isDaemon() && JDK_DAEMON_POOLS.stream().anyMatch(t.getName()::startsWith)))
        .filter(t -> !t.getName().startsWith("junit-jupiter-timeout-watcher"))
        .collect(Collectors.toList());
  }
}
