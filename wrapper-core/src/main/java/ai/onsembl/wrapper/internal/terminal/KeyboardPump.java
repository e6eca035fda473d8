package ai.onsembl.wrapper.internal.terminal;

import java.io.IOException;
import java.io.InputStream;

/**
 * Copies the keyboard to the agent byte for byte, except the escape sequence: {@code Ctrl+]}
 * ({@code 0x1d}) followed by {@code q} or {@code .} stops the wrapper; {@code Ctrl+]} twice sends
 * one {@code Ctrl+]}; after {@code Ctrl+]} any other byte is sent together with the {@code Ctrl+]}
 * (nothing is swallowed).
 */
public final class KeyboardPump {
  /** Ctrl+], as in telnet. */
  public static final int ESCAPE = 0x1d;

  /** Where keystrokes go. */
  public interface Agent {
    /** False once the agent is gone. */
    boolean write(byte[] b, int off, int len);
  }

  private final InputStream keyboard;
  private final Agent agent;
  private final Runnable stop;
  private boolean escaped;

  public KeyboardPump(InputStream keyboard, Agent agent, Runnable stop) {
    this.keyboard = keyboard;
    this.agent = agent;
    this.stop = stop;
  }

  /**
   * Starts the daemon thread; it ends when the keyboard closes or the escape sequence stops the
   * wrapper.
   */
  public Thread start() {
    Thread t = new Thread(this::run, "onsembl-keyboard");
    t.setDaemon(true);
    t.start();
    return t;
  }

  void run() {
    byte[] buf = new byte[4096];
    byte[] out = new byte[8192];
    try {
      int n;
      while ((n = keyboard.read(buf)) >= 0) {
        int len = 0;
        for (int i = 0; i < n; i++) {
          int b = buf[i] & 0xff;
          if (escaped) {
            escaped = false;
            if (b == 'q' || b == 'Q' || b == '.') {
              if (len > 0) {
                agent.write(out, 0, len);
              }
              stop.run();
              return;
            }
            if (b != ESCAPE) {
              out[len++] = (byte) ESCAPE;
            }
            out[len++] = (byte) b;
          } else if (b == ESCAPE) {
            escaped = true;
          } else {
            out[len++] = (byte) b;
          }
        }
        if (len > 0 && !agent.write(out, 0, len)) {
          return;
        }
      }
    } catch (IOException e) {
      // the terminal closed
    }
  }
}
