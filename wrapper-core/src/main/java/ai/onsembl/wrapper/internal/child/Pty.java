package ai.onsembl.wrapper.internal.child;

import ai.onsembl.wrapper.AgentExitException;
import com.pty4j.PtyProcess;
import com.pty4j.PtyProcessBuilder;
import com.pty4j.WinSize;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Starting the agent in a pseudo-terminal (pty4j: a new session with the pty as its controlling
 * terminal, so the agent leads its own process group) and what the interactive mode needs of it.
 *
 * @param columns initial width
 * @param rows initial height
 * @param screen where the agent's output goes unchanged (the user's terminal)
 * @param nativeFolder where pty4j's native library is kept between runs (under the state directory)
 */
public record Pty(int columns, int rows, Screen screen, Path nativeFolder) {
  /** The user's terminal as the pty's output sees it. */
  @FunctionalInterface
  public interface Screen {
    void write(byte[] b, int off, int len);
  }

  PtyProcess start(List<String> command, Path workingDir, Map<String, String> extraEnv) {
    PtyNatives.useFolder(nativeFolder);
    Map<String, String> env = new HashMap<>(System.getenv());
    env.remove("ONSEMBL_TOKEN");
    env.putAll(extraEnv);
    env.putIfAbsent("TERM", "xterm-256color");
    try {
      return new PtyProcessBuilder(sized(command).toArray(String[]::new))
          .setDirectory(workingDir.toString())
          .setEnvironment(env)
          .setInitialColumns(columns)
          .setInitialRows(rows)
          .setConsole(false)
          .start();
    } catch (IOException | RuntimeException | UnsatisfiedLinkError e) {
      throw AgentExitException.invalidInput(
          "cannot start agent " + command.get(0) + " in a pseudo-terminal: " + e);
    }
  }

  /**
   * pty4j sets the window size only after the process started, so an agent that asks at once (less,
   * vi, a curses program) may see 0×0. The child sets its own terminal's size first, then execs the
   * agent (same pid, same exit code).
   */
  List<String> sized(List<String> command) {
    if (!java.nio.file.Files.isExecutable(Path.of("/bin/sh"))) {
      return command;
    }
    List<String> out =
        new java.util.ArrayList<>(
            List.of(
                "/bin/sh",
                "-c",
                "stty cols " + columns + " rows " + rows + " 2>/dev/null; exec \"$@\"",
                "onsembl-agent"));
    out.addAll(command);
    return out;
  }

  static void resize(PtyProcess p, int columns, int rows) {
    p.setWinSize(new WinSize(columns, rows));
  }
}
