package ai.onsembl.wrapper.internal.terminal;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jline.terminal.Attributes;
import org.jline.terminal.Attributes.ControlChar;
import org.jline.terminal.Attributes.InputFlag;
import org.jline.terminal.Attributes.LocalFlag;
import org.jline.terminal.Attributes.OutputFlag;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * The user's terminal (the wrapper's own stdin/stdout), through JLine: its attributes as they were
 * at start, raw mode, its size, SIGWINCH. {@link #restore()} puts the saved attributes back and
 * makes the cursor visible (leaving the alternate screen and mouse modes a full-screen agent may
 * have left on); it runs at most once and never throws, also when the terminal is gone (SIGHUP).
 *
 * <p>JLine's own signal handling is off: the wrapper keeps its TERM/INT/HUP handlers, and in raw
 * mode Ctrl+C is just byte 0x03 for the agent.
 */
public final class LocalTerminal implements AutoCloseable {
  private final Terminal terminal;
  private final Attributes saved;
  private final OutputStream out = new FileOutputStream(FileDescriptor.out);
  private final AtomicBoolean restored = new AtomicBoolean();
  private volatile boolean raw;
  private volatile boolean alternateScreen;

  private LocalTerminal(Terminal terminal) {
    this.terminal = terminal;
    this.saved = terminal.getAttributes();
  }

  /** Opens the system terminal and saves its attributes. */
  public static LocalTerminal open() throws IOException {
    // The exec provider (stty on the terminal) needs no native library: JNI would extract one to
    // /tmp per run.
    Terminal t =
        TerminalBuilder.builder()
            .system(true)
            .jni(false)
            .jna(false)
            .ffm(false)
            .exec(true)
            .nativeSignals(false)
            .signalHandler(Terminal.SignalHandler.SIG_IGN)
            .build();
    return new LocalTerminal(t);
  }

  /**
   * True when stdin and stdout are both a terminal. Never true when stdin is a pipe or a file (CI),
   * so the wrapper does not switch to interactive mode by itself there.
   */
  public static boolean stdinAndStdoutAreTerminals() {
    java.io.Console c = System.console();
    if (c == null) {
      return false;
    }
    try {
      // Java 22+ returns a console even without a terminal; isTerminal() tells.
      java.lang.reflect.Method m = java.io.Console.class.getMethod("isTerminal");
      return (Boolean) m.invoke(c);
    } catch (ReflectiveOperationException e) {
      return true; // Java 17: System.console() is non-null only when both are terminals
    }
  }

  /** The JLine terminal type and provider, for the log. */
  public String describe() {
    return terminal.getType() + " via " + terminal.getClass().getSimpleName();
  }

  /**
   * Raw mode as cfmakeraw(3): no echo, no line editing, no signals from keys (Ctrl+C, Ctrl+Z,
   * Ctrl+\ are bytes for the agent), no CR/NL translation in either direction (the agent's pty
   * already did it).
   */
  public void enterRawMode() {
    Attributes a = new Attributes(saved);
    a.setInputFlags(
        EnumSet.of(
            InputFlag.IGNBRK,
            InputFlag.BRKINT,
            InputFlag.PARMRK,
            InputFlag.ISTRIP,
            InputFlag.INLCR,
            InputFlag.IGNCR,
            InputFlag.ICRNL,
            InputFlag.IXON),
        false);
    a.setOutputFlag(OutputFlag.OPOST, false);
    a.setLocalFlags(
        EnumSet.of(
            LocalFlag.ECHO, LocalFlag.ECHONL, LocalFlag.ICANON, LocalFlag.ISIG, LocalFlag.IEXTEN),
        false);
    a.setControlChar(ControlChar.VMIN, 1);
    a.setControlChar(ControlChar.VTIME, 0);
    terminal.setAttributes(a);
    raw = true;
  }

  /** Columns and rows now (80×24 when the terminal does not say). */
  public int[] size() {
    Size s = terminal.getSize();
    int cols = s.getColumns() > 0 ? s.getColumns() : 80;
    int rows = s.getRows() > 0 ? s.getRows() : 24;
    return new int[] {cols, rows};
  }

  /** Runs {@code onResize} with the new columns and rows on every SIGWINCH. */
  public void onResize(java.util.function.BiConsumer<Integer, Integer> onResize) {
    sun.misc.Signal.handle(
        new sun.misc.Signal("WINCH"),
        sig -> {
          int[] s = size();
          onResize.accept(s[0], s[1]);
        });
  }

  /** The keyboard, byte for byte. */
  public InputStream input() {
    return new FileInputStream(FileDescriptor.in);
  }

  /**
   * Writes the agent's screen output unchanged (also watched for the alternate screen, to leave it
   * at exit).
   */
  public void write(byte[] b, int off, int len) {
    String s = new String(b, off, len, StandardCharsets.ISO_8859_1);
    if (s.contains("\u001b[?1049h") || s.contains("\u001b[?47h") || s.contains("\u001b[?1047h")) {
      alternateScreen = true;
    }
    if (s.contains("\u001b[?1049l") || s.contains("\u001b[?47l") || s.contains("\u001b[?1047l")) {
      alternateScreen = false;
    }
    synchronized (out) {
      if (restored.get()) {
        return;
      }
      try {
        out.write(b, off, len);
        out.flush();
      } catch (IOException e) {
        // the terminal is gone (closed window): the agent's output still reaches the backend
      }
    }
  }

  /**
   * Sets the window title (OSC 2): the local notice that does not touch a full-screen program's
   * screen.
   */
  public void title(String text) {
    String clean = text.replaceAll("[\\p{Cntrl}]", " ");
    byte[] seq = ("\u001b]2;" + clean + "\u0007").getBytes(StandardCharsets.UTF_8);
    write(seq, 0, seq.length);
  }

  /** Puts the terminal back as it was at start; once, never throws. */
  public void restore() {
    if (!restored.compareAndSet(false, true)) {
      return;
    }
    synchronized (out) {
      try {
        StringBuilder s = new StringBuilder();
        if (alternateScreen) {
          s.append("\u001b[?1049l");
        }
        // Attributes off, cursor visible, mouse reporting and bracketed paste off, application
        // keypad off.
        s.append(
            "\u001b[0m\u001b[?25h\u001b[?1000l\u001b[?1002l\u001b[?1003l\u001b[?1006l\u001b[?2004l\u001b>");
        if (raw) {
          s.append("\r\n");
        }
        out.write(s.toString().getBytes(StandardCharsets.UTF_8));
        out.flush();
      } catch (Throwable e) {
        // gone
      }
    }
    try {
      terminal.setAttributes(saved);
    } catch (Throwable e) {
      // the terminal is gone (SIGHUP): nothing left to restore
    }
  }

  @Override
  public void close() {
    restore();
    try {
      terminal.close();
    } catch (Throwable e) {
      // best effort
    }
  }
}
