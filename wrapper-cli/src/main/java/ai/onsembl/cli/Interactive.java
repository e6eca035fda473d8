package ai.onsembl.cli;

import ai.onsembl.wrapper.AgentExitException;
import ai.onsembl.wrapper.AgentKind;
import ai.onsembl.wrapper.WrapperConfig;
import ai.onsembl.wrapper.command.CommandSettings;
import ai.onsembl.wrapper.command.SessionCompletion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What {@code start} does differently in interactive mode: commands typed into the agent, logs to a
 * file.
 */
final class Interactive {
  private Interactive() {}

  /**
   * Session mode whatever the kind's default: a dashboard command is typed into the agent the user
   * sees. An explicit {@code --mode exec} asks for the headless one-process-per-command mode:
   * refused.
   */
  static CommandSettings commands(StartOptions o, CommandSettings headless, WrapperConfig c) {
    if (o.mode != null && CommandSettings.Mode.parse(o.mode) == CommandSettings.Mode.EXEC) {
      throw AgentExitException.invalidInput(
          "--mode exec runs one process per command, headless: "
              + "drop --mode exec for interactive mode, or give --headless");
    }
    return headless
        .withMode(CommandSettings.Mode.SESSION)
        .withSessionCompletion(
            c.agentKind() == AgentKind.MOCK
                ? SessionCompletion.mockAgent()
                : SessionCompletion.defaults());
  }

  /**
   * {@code <stateDir>/logs/<name>.log}: the screen belongs to the agent, the wrapper's log goes
   * here.
   */
  static Path logFile(WrapperConfig c) {
    Path dir = c.stateDir().resolve("logs");
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw AgentExitException.invalidInput(
          "cannot create the log directory " + dir + ": " + e.getMessage());
    }
    return dir.resolve(c.name().replaceAll("[^A-Za-z0-9._-]", "_") + ".log");
  }
}
