package ai.onsembl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The default state dir follows $HOME as a shell has it (Java's user.home ignores $HOME on Linux).
 */
class StateDirOptionTest {
  @TempDir Path home;

  @Test
  void defaultStateDirFollowsHomeFromTheEnvironment() {
    assertThat(new StateDirOption().resolve(Map.of("HOME", home.toString())))
        .isEqualTo(home.resolve(".onsembl"));
  }

  @Test
  void onsemblStateDirStillWinsOverHome() {
    Path dir = home.resolve("elsewhere");
    assertThat(
            new StateDirOption()
                .resolve(Map.of("HOME", home.toString(), "ONSEMBL_STATE_DIR", dir.toString())))
        .isEqualTo(dir);
  }
}
