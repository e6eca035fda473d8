package ai.onsembl.cli;

import ai.onsembl.wrapper.WrapperConfig;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * {@code --state-dir}: where agent ids, run files and the default config.json live. Defaults to
 * {@code ONSEMBL_STATE_DIR}, else {@code ~/.onsembl}. Shared by start, stop and status.
 */
public final class StateDirOption {
  @Option(
      names = "--state-dir",
      paramLabel = "DIR",
      description =
          "Agent ids, run files and config.json (default: $ONSEMBL_STATE_DIR, else ~/.onsembl).")
  Path stateDir;

  Path resolve(Map<String, String> env) {
    if (stateDir != null) {
      return stateDir.toAbsolutePath();
    }
    String fromEnv = env.get("ONSEMBL_STATE_DIR");
    if (fromEnv != null && !fromEnv.isBlank()) {
      return Path.of(fromEnv).toAbsolutePath();
    }
    return WrapperConfig.defaultStateDir(env);
  }
}
