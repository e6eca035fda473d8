package ai.onsembl.wrapper.internal.shutdown;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import sun.misc.Signal;

/**
 * Our own handlers for TERM, INT and HUP (measured on JDK 17: the JVM's own path runs shutdown
 * hooks, during which a second signal is ignored and {@code System.exit} hangs; escalation needs
 * handlers of our own). A signal the process inherited as ignored (INT in a background job, HUP
 * under nohup) cannot be caught here: the launcher restores INT's default disposition before it
 * execs java.
 */
public final class SignalTrap {
  private SignalTrap() {}

  /**
   * Installs {@code onSignal} (called with "TERM", "INT" or "HUP"); returns the names it could
   * install.
   */
  public static List<String> install(Consumer<String> onSignal) {
    List<String> installed = new ArrayList<>();
    for (String name : List.of("TERM", "INT", "HUP")) {
      try {
        Signal.handle(new Signal(name), s -> onSignal.accept(s.getName()));
        installed.add(name);
      } catch (IllegalArgumentException | UnsupportedOperationException e) {
        // not available on this platform or reserved by the VM (-Xrs)
      }
    }
    return installed;
  }

  /** The number of a signal name (TERM 15, INT 2, HUP 1). */
  public static int number(String name) {
    return switch (name) {
      case "HUP" -> 1;
      case "INT" -> 2;
      case "KILL" -> 9;
      default -> 15;
    };
  }
}
