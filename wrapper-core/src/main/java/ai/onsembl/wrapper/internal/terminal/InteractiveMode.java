package ai.onsembl.wrapper.internal.terminal;

import ai.onsembl.wrapper.AgentExitException;
import ai.onsembl.wrapper.command.SessionChild;
import ai.onsembl.wrapper.internal.Log;
import ai.onsembl.wrapper.internal.child.ChildSupervisor;
import ai.onsembl.wrapper.internal.child.Pty;
import java.nio.file.Path;

/**
 * The wrapper's side of interactive mode: the user's terminal, the agent's pty sized like it, the
 * keyboard pump with its escape, resizes, the announced dashboard input, and the restore of the
 * terminal.
 */
public final class InteractiveMode {
  private final LocalTerminal terminal;

  private InteractiveMode(LocalTerminal terminal) {
    this.terminal = terminal;
  }

  /** Opens the user's terminal (its attributes saved); exit code 2 when it cannot be opened. */
  public static InteractiveMode open() {
    try {
      return new InteractiveMode(LocalTerminal.open());
    } catch (java.io.IOException | RuntimeException e) {
      throw AgentExitException.invalidInput(
          "interactive mode: cannot open the terminal: " + e.getMessage());
    }
  }

  /** The pty for the agent: the terminal's size now, output to the terminal unchanged. */
  public Pty pty(Path nativeFolder) {
    int[] size = terminal.size();
    return new Pty(size[0], size[1], terminal::write, nativeFolder);
  }

  /**
   * {@code child} as the command runner should see it: dashboard input is announced in the window
   * title.
   */
  public SessionChild announcing(SessionChild child) {
    return new AnnouncingChild(child, terminal);
  }

  /** Raw mode, resizes to the agent's pty, the keyboard to the agent; {@code stop} on Ctrl+] q. */
  public void start(ChildSupervisor child, Runnable stop, Log log) {
    terminal.enterRawMode();
    terminal.onResize(child::resize);
    new KeyboardPump(terminal.input(), child::writeRaw, stop).start();
    log.info(
        "interactive mode: agent in a pseudo-terminal ("
            + terminal.describe()
            + "); Ctrl+] then q stops");
  }

  /** Puts the user's terminal back as it was at start; once, never throws. */
  public void restore() {
    terminal.restore();
  }

  /**
   * A JVM shutdown hook that restores the terminal (the crash path: an uncaught error ends the
   * JVM).
   */
  public Thread restoreHook() {
    return new Thread(terminal::restore, "onsembl-terminal-restore");
  }
}
