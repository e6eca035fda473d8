package ai.onsembl.e2e.faults;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;

/** Process checks that tell a running process from a zombie waiting for init to reap it. */
final class Procs {
  private Procs() {}

  /**
   * The processes of {@code handles} that still run. A killed process re-parented to init stays a zombie
   * until init reaps it ({@code ProcessHandle.isAlive} still says true, and PID 1 here reaps lazily): a
   * zombie has stopped and holds nothing but its pid, so it does not count as surviving.
   */
  static List<String> running(Collection<ProcessHandle> handles) {
    return handles.stream().filter(h -> h.isAlive() && !zombie(h.pid()))
        .map(h -> h.pid() + " " + h.info().commandLine().orElse("?"))
        .collect(Collectors.toList());
  }

  static boolean zombie(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      // "pid (comm) S ...": the state follows the last ')' (comm may contain spaces and parentheses)
      int close = stat.lastIndexOf(')');
      return close > 0 && stat.length() > close + 2 && stat.charAt(close + 2) == 'Z';
    } catch (IOException e) {
      return false; // gone between the two checks: isAlive would now say false
    }
  }
}
