package ai.onsembl.e2e;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * After a test class: no descendant process of the test JVM is left alive (each e2e class must stop
 * everything it started). Leftovers are killed so the next class starts clean, and the class fails.
 */
public final class LeakChecks implements AfterAllCallback {
  @Override
  public void afterAll(ExtensionContext context) {
    List<ProcessHandle> left =
        ProcessHandle.current()
            .descendants()
            .filter(ProcessHandle::isAlive)
            .collect(Collectors.toList());
    if (left.isEmpty()) {
      return;
    }
    String names =
        left.stream()
            .map(h -> h.pid() + " " + h.info().commandLine().orElse("?"))
            .collect(Collectors.joining("\n"));
    left.forEach(ProcessHandle::destroyForcibly);
    throw new AssertionError(
        "processes left alive after " + context.getDisplayName() + ":\n" + names);
  }
}
