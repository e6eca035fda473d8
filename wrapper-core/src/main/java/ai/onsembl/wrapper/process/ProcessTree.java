package ai.onsembl.wrapper.process;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Stops a whole process tree. Java's {@code Process.destroy()} signals only the direct child: an agent
 * started through {@code npx} or a shell leaves its real process running. So: signal the child's process
 * group when it has its own (started through {@code setsid}), and every descendant found by walking
 * {@link ProcessHandle#descendants()} twice, to catch late forks.
 */
public final class ProcessTree {
  private static final boolean HAS_SETSID = findOnPath("setsid").isPresent();
  private static final Optional<String> KILL = findOnPath("kill");

  private ProcessTree() {}

  /** True when {@code setsid} exists here, so children can get a session and process group of their own. */
  public static boolean hasSetsid() {
    return HAS_SETSID;
  }

  /** {@code command} prefixed with {@code setsid} where it exists. */
  public static List<String> inOwnSession(List<String> command) {
    if (!HAS_SETSID) {
      return command;
    }
    List<String> out = new ArrayList<>(command.size() + 1);
    out.add(findOnPath("setsid").get());
    out.addAll(command);
    return out;
  }

  /** Every live descendant of {@code root}, walked twice to catch processes forked during the walk. */
  public static Set<ProcessHandle> descendants(ProcessHandle root) {
    Set<ProcessHandle> all = new LinkedHashSet<>();
    root.descendants().forEach(all::add);
    root.descendants().forEach(all::add);
    return all;
  }

  /**
   * Sends SIGTERM to {@code root}'s process group (when {@code groupLeader}) and to every process of the
   * tree; waits up to {@code grace} for all to exit; then SIGKILLs what is left. Returns the number of
   * processes that had to be killed.
   */
  public static int terminate(ProcessHandle root, boolean groupLeader, Duration grace) {
    Set<ProcessHandle> tree = new LinkedHashSet<>();
    tree.add(root);
    tree.addAll(descendants(root));
    if (groupLeader) {
      signalGroup(root.pid(), "TERM");
    }
    for (ProcessHandle p : tree) {
      p.destroy();
    }
    long deadline = System.nanoTime() + grace.toNanos();
    for (ProcessHandle p : tree) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        break;
      }
      try {
        p.onExit().get(left, TimeUnit.NANOSECONDS);
      } catch (Exception e) {
        break;
      }
    }
    return kill(root, groupLeader, tree);
  }

  /** SIGKILLs the group and every process of the tree at once; returns how many were still alive. */
  public static int kill(ProcessHandle root, boolean groupLeader, Set<ProcessHandle> known) {
    Set<ProcessHandle> tree = new LinkedHashSet<>(known);
    tree.add(root);
    tree.addAll(descendants(root));
    int alive = 0;
    for (ProcessHandle p : tree) {
      if (p.isAlive()) {
        alive++;
      }
    }
    if (groupLeader) {
      signalGroup(root.pid(), "KILL");
    }
    for (ProcessHandle p : tree) {
      p.destroyForcibly();
    }
    return alive;
  }

  /** Sends {@code signal} (TERM, KILL, INT, …) to process group {@code pgid}; false if it could not. */
  public static boolean signalGroup(long pgid, String signal) {
    if (KILL.isEmpty() || pgid <= 1) {
      return false;
    }
    try {
      Process p = new ProcessBuilder(KILL.get(), "-s", signal, "--", "-" + pgid)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start();
      return p.waitFor(2, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Sends {@code signal} to one process; false if it could not. */
  public static boolean signal(long pid, String signal) {
    if (KILL.isEmpty()) {
      return false;
    }
    try {
      Process p = new ProcessBuilder(KILL.get(), "-s", signal, String.valueOf(pid))
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start();
      return p.waitFor(2, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** The absolute path of {@code name} on PATH (or /bin, /usr/bin), if executable. */
  public static Optional<String> findOnPath(String name) {
    String path = System.getenv().getOrDefault("PATH", "") + java.io.File.pathSeparator + "/usr/bin:/bin";
    for (String dir : path.split(java.io.File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      java.io.File f = new java.io.File(dir, name);
      if (f.isFile() && f.canExecute()) {
        return Optional.of(f.getAbsolutePath());
      }
    }
    return Optional.empty();
  }
}
