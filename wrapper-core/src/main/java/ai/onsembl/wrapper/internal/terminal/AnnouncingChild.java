package ai.onsembl.wrapper.internal.terminal;

import ai.onsembl.wrapper.command.SessionChild;

/**
 * The agent in interactive mode as the command runner sees it: a command from the dashboard is
 * typed into the agent, and the user's terminal says so in its window title (not on the screen: a
 * full-screen program's screen stays intact; tmux shows it as {@code #{pane_title}}).
 */
public final class AnnouncingChild implements SessionChild {
  private static final int MAX_TITLE_CHARS = 60;
  private final SessionChild child;
  private final LocalTerminal terminal;

  public AnnouncingChild(SessionChild child, LocalTerminal terminal) {
    this.child = child;
    this.terminal = terminal;
  }

  /** The title shown when {@code line} is typed for the dashboard. */
  public static String notice(String line) {
    String first = line.strip().lines().findFirst().orElse("");
    if (first.length() > MAX_TITLE_CHARS) {
      first = first.substring(0, MAX_TITLE_CHARS - 1) + "…";
    }
    return "onsembl: dashboard typed: " + first;
  }

  @Override
  public boolean writeLine(String line) {
    terminal.title(notice(line));
    return child.writeLine(line);
  }

  @Override
  public void setOutputListener(OutputListener listener) {
    child.setOutputListener(listener);
  }

  @Override
  public boolean interrupt() {
    return child.interrupt();
  }
}
