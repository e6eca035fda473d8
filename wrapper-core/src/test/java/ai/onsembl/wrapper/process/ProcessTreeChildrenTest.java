package ai.onsembl.wrapper.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The shortcut to a shell agent's foreground child, without a walk of the process table. */
@Timeout(30)
class ProcessTreeChildrenTest {

  @Test
  void theDirectChildOfAShellHearsSigtermSoTheShellGoesOnAtOnce() throws Exception {
    // The shell waits for its foreground sleep; only a SIGTERM to the sleep lets it go on.
    Process sh = new ProcessBuilder("sh", "-c", "sleep 30; echo after-sleep").start();
    try {
      await().atMost(Duration.ofSeconds(10)).until(() -> sh.toHandle().children().count() == 1);
      List<ProcessHandle> children = sh.toHandle().children().toList();

      ProcessTree.terminateChildrenNow(sh.toHandle());

      assertThat(sh.waitFor(10, TimeUnit.SECONDS)).as("the shell went on and exited").isTrue();
      assertThat(sh.exitValue()).isZero();
      assertThat(new String(sh.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
          .isEqualTo("after-sleep\n");
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> children.stream().noneMatch(ProcessTree::isRunning));
    } finally {
      sh.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
      sh.destroyForcibly();
    }
  }

  @Test
  void aProcessThatIsGoneOrHasNoChildrenIsNoError() throws Exception {
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor(10, TimeUnit.SECONDS);
    ProcessTree.terminateChildrenNow(gone.toHandle());
    ProcessTree.terminateChildrenNow(ProcessHandle.of(Long.MAX_VALUE).orElse(gone.toHandle()));
    assertThat(gone.isAlive()).isFalse();
  }
}
