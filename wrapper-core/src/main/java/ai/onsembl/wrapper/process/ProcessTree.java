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
   * tree; waits up to {@code grace} for all to exit; then SIGKILLs what is left and waits (at most a
   * second) until it is gone. Returns the number of processes that had to be killed.
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
    // Poll rather than onExit(): a grandchild re-parented to PID 1 stays a zombie until PID 1 reaps it,
    // and onExit() of a non-child counts a zombie as alive.
    awaitGone(tree, grace);
    tree.addAll(descendants(root));
    int killed = kill(root, groupLeader, tree);
    if (killed > 0) {
      awaitGone(tree, Duration.ofSeconds(1));
    }
    return killed;
  }

  /** SIGKILLs the group and every process of the tree at once; returns how many were still running. */
  public static int kill(ProcessHandle root, boolean groupLeader, Set<ProcessHandle> known) {
    Set<ProcessHandle> tree = new LinkedHashSet<>(known);
    tree.add(root);
    tree.addAll(descendants(root));
    int alive = 0;
    for (ProcessHandle p : tree) {
      if (isRunning(p)) {
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

  /** Waits until no process of {@code tree} runs (zombies count as gone), at most {@code max}. */
  public static boolean awaitGone(Set<ProcessHandle> tree, Duration max) {
    long deadline = System.nanoTime() + max.toNanos();
    while (true) {
      boolean any = false;
      for (ProcessHandle p : tree) {
        if (isRunning(p)) {
          any = true;
          break;
        }
      }
      if (!any) {
        return true;
      }
      if (System.nanoTime() > deadline) {
        return false;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
  }

  /** Alive and not a zombie (a killed process whose parent has not reaped it yet runs no more). */
  public static boolean isRunning(ProcessHandle p) {
    if (!p.isAlive()) {
      return false;
    }
    return !isZombie(p.pid());
  }

  /** True when {@code pid} is a zombie (Linux {@code /proc}); false elsewhere or when unknown. */
  public static boolean isZombie(long pid) {
    try {
      String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", Long.toString(pid), "stat"));
      char state = stat.charAt(stat.lastIndexOf(')') + 2);
      return state == 'Z' || state == 'X';
    } catch (IOException | RuntimeException e) {
      return false;
    }
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
