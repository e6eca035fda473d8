package ai.onsembl.cli.interactive;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One tmux server of its own (a unique {@code -L} socket) with one detached session; {@link #close}
 * kills it.
 */
final class Tmux implements AutoCloseable {
  static final String TMUX = "/usr/bin/tmux";
  private final String socket =
      "onsembl-it-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
  private final String session = "it";

  static boolean available() {
    return java.nio.file.Files.isExecutable(java.nio.file.Path.of(TMUX));
  }

  /** A detached 100×30 session running {@code shellCommand} (through {@code sh -c}). */
  Tmux start(String shellCommand) throws Exception {
    run("new-session", "-d", "-s", session, "-x", "100", "-y", "30", shellCommand);
    // Keep the pane after its command exits, so the last screen can still be read.
    run("set-option", "-t", session, "remain-on-exit", "on");
    return this;
  }

  void sendKeys(String... keys) throws Exception {
    List<String> args = new ArrayList<>(List.of("send-keys", "-t", session));
    args.addAll(List.of(keys));
    run(args.toArray(String[]::new));
  }

  /** Literal text, no key names. */
  void type(String text) throws Exception {
    run("send-keys", "-t", session, "-l", text);
  }

  /** The visible screen as text. */
  String screen() throws Exception {
    return run("capture-pane", "-p", "-t", session);
  }

  /** The visible screen with its colours as escape sequences. */
  String screenWithEscapes() throws Exception {
    return run("capture-pane", "-p", "-e", "-t", session);
  }

  String display(String format) throws Exception {
    return run("display-message", "-p", "-t", session, format).strip();
  }

  long panePid() throws Exception {
    return Long.parseLong(display("#{pane_pid}"));
  }

  void resize(int columns, int rows) throws Exception {
    run(
        "resize-window",
        "-t",
        session,
        "-x",
        Integer.toString(columns),
        "-y",
        Integer.toString(rows));
  }

  void killSession() throws Exception {
    run("kill-session", "-t", session);
  }

  String run(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(TMUX, "-L", socket));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(20, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException(
          "tmux " + String.join(" ", args) + " did not return within 20 s");
    }
    if (p.exitValue() != 0 && !args[0].equals("kill-server") && !args[0].equals("kill-session")) {
      throw new IllegalStateException(
          "tmux " + String.join(" ", args) + " exited " + p.exitValue() + ": " + out);
    }
    return out;
  }

  @Override
  public void close() {
    try {
      run("kill-server");
    } catch (Exception e) {
      // already gone
    }
    // tmux leaves its socket file behind
    java.nio.file.Path dir =
        java.nio.file.Path.of(
            System.getProperty("java.io.tmpdir"),
            "tmux-" + new com.sun.security.auth.module.UnixSystem().getUid());
    try {
      java.nio.file.Files.deleteIfExists(dir.resolve(socket));
    } catch (IOException e) {
      ignore(e);
    }
  }

  /** {@code s} quoted for sh. */
  static String q(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }

  static String command(List<String> words) {
    return String.join(" ", words.stream().map(Tmux::q).toList());
  }

  static void ignore(IOException e) {}
}
