package ai.onsembl.wrapper.command;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Process checks for tests. A zombie counts as gone: PID 1 here may never reap re-parented orphans.
 */
final class Pids {
  private static final Pattern GRANDCHILD = Pattern.compile("grandchild pid (\\d+)");

  private Pids() {}

  static boolean isRunning(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
      // The state is the first field after the parenthesised command name.
      String afterName = stat.substring(stat.lastIndexOf(')') + 2);
      return afterName.charAt(0) != 'Z' && afterName.charAt(0) != 'X';
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** The pid in the mock agent's {@code grandchild pid P} line. */
  static long grandchildPid(String output) {
    Matcher m = GRANDCHILD.matcher(output);
    if (!m.find()) {
      throw new AssertionError("expected a 'grandchild pid P' line but the output was: " + output);
    }
    return Long.parseLong(m.group(1));
  }

  /** Kills {@code pid} if a test left it running (never a pid the test did not start). */
  static void killIfRunning(long pid) {
    if (pid > 1 && isRunning(pid)) {
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }
  }
}
