package ai.onsembl.wrapper.process;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Stops a whole process tree. Java's {@code Process.destroy()} signals only the direct child: an
 * agent started through {@code npx} or a shell leaves its real process running. So: signal the
 * child's process group when it has its own (started through {@code setsid}), and every descendant
 * found by walking {@link ProcessHandle#descendants()} twice, to catch late forks.
 */
public final class ProcessTree {
  private static final boolean HAS_SETSID = findOnPath("setsid").isPresent();
  private static final Optional<String> KILL = findOnPath("kill");

  private ProcessTree() {}

  /**
   * True when {@code setsid} exists here, so children can get a session and process group of their
   * own.
   */
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

  /**
   * A set for {@code signalled}: the processes that got SIGTERM in one stop, so that none gets it
   * twice. Thread-safe (the signal's thread and the stop's thread share it).
   */
  public static Set<ProcessHandle> newSignalledSet() {
    return ConcurrentHashMap.newKeySet();
  }

  /**
   * SIGTERM to {@code p} unless {@code signalled} holds it already (it is added): one SIGTERM per
   * process however many paths of a stop reach it. Many programs take a second SIGTERM or SIGINT as
   * "stop now, skip the cleanup", so a graceful agent must hear it once.
   */
  public static void terminateOnce(ProcessHandle p, Set<ProcessHandle> signalled) {
    if (signalled.add(p)) {
      p.destroy();
    }
  }

  /** {@link #terminateChildrenNow(ProcessHandle, Set)} for a stop of its own. */
  public static void terminateChildrenNow(ProcessHandle root) {
    terminateChildrenNow(root, newSignalledSet());
  }

  /**
   * SIGTERM to the direct children of {@code root}'s main thread, as the kernel lists them in
   * {@code /proc/PID/task/PID/children}: one small file instead of a walk of the whole process
   * table, so a shell agent's foreground child (which the shell waits for before it runs its TERM
   * trap) hears it at once. Best effort: nothing where the kernel offers no such file; the full
   * walk follows anyway. Each child at most once ({@link #terminateOnce}).
   */
  public static void terminateChildrenNow(ProcessHandle root, Set<ProcessHandle> signalled) {
    String pid = Long.toString(root.pid());
    try {
      String list =
          java.nio.file.Files.readString(
              java.nio.file.Path.of("/proc", pid, "task", pid, "children"));
      for (String child : list.trim().split("\\s+")) {
        if (!child.isEmpty()) {
          ProcessHandle.of(Long.parseLong(child)).ifPresent(c -> terminateOnce(c, signalled));
        }
      }
    } catch (IOException | RuntimeException e) {
      // no such file (kernel without CONFIG_PROC_CHILDREN, process gone): the walk covers it
    }
  }

  /**
   * Every live descendant of {@code root}, walked twice to catch processes forked during the walk.
   */
  public static Set<ProcessHandle> descendants(ProcessHandle root) {
    Set<ProcessHandle> all = new LinkedHashSet<>();
    root.descendants().forEach(all::add);
    root.descendants().forEach(all::add);
    return all;
  }

  /** {@link #terminate(ProcessHandle, boolean, Duration, Set)} for a stop of its own. */
  public static int terminate(ProcessHandle root, boolean groupLeader, Duration grace) {
    return terminate(root, groupLeader, grace, newSignalledSet());
  }

  /**
   * Sends SIGTERM once to every process of the tree and, when {@code groupLeader}, of {@code
   * root}'s process group (none that {@code signalled} holds: they heard it already); waits up to
   * {@code grace} for all to exit; then SIGKILLs what is left, the group included, and waits (at
   * most a second) until it is gone. Returns the number of processes that had to be killed.
   */
  public static int terminate(
      ProcessHandle root, boolean groupLeader, Duration grace, Set<ProcessHandle> signalled) {
    // The agent first, before the walks of the process table below: it hears SIGTERM at once.
    terminateOnce(root, signalled);
    terminateChildrenNow(root, signalled);
    Set<ProcessHandle> tree = new LinkedHashSet<>();
    tree.add(root);
    tree.addAll(descendants(root));
    for (ProcessHandle p : tree) {
      terminateOnce(p, signalled);
    }
    if (groupLeader) {
      // Members of the group that outlived its leader were re-parented: not descendants any more,
      // and they get SIGTERM and the same grace as the rest. Each member on its own, not the group
      // at once (kill -TERM -PGID): that would signal the agent and its tree a second time.
      for (ProcessHandle m : groupMembers(root.pid())) {
        tree.add(m);
        terminateOnce(m, signalled);
      }
    }
    // Poll rather than onExit(): a grandchild re-parented to PID 1 stays a zombie until PID 1 reaps
    // it,
    // and onExit() of a non-child counts a zombie as alive.
    awaitGone(tree, grace);
    tree.addAll(descendants(root));
    int killed = kill(root, groupLeader, tree);
    if (killed > 0) {
      awaitGone(tree, Duration.ofSeconds(1));
    }
    return killed;
  }

  /**
   * SIGKILLs the group and every process of the tree at once; returns how many were still running.
   */
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
      String stat =
          java.nio.file.Files.readString(
              java.nio.file.Path.of("/proc", Long.toString(pid), "stat"));
      char state = stat.charAt(stat.lastIndexOf(')') + 2);
      return state == 'Z' || state == 'X';
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /**
   * Sends {@code signal} (TERM, KILL, INT, …) to process group {@code pgid}; false if it could not.
   */
  public static boolean signalGroup(long pgid, String signal) {
    return pgid > 1 && runKill("-s", signal, "--", "-" + pgid);
  }

  /** Sends {@code signal} to one process; false if it could not. */
  public static boolean signal(long pid, String signal) {
    return runKill("-s", signal, String.valueOf(pid));
  }

  /** Runs kill(1) with {@code args}; true when it exited 0 within 2 s. */
  private static boolean runKill(String... args) {
    if (KILL.isEmpty()) {
      return false;
    }
    List<String> cmd = new ArrayList<>(args.length + 1);
    cmd.add(KILL.get());
    cmd.addAll(List.of(args));
    try {
      Process p =
          new ProcessBuilder(cmd)
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
    String path =
        System.getenv().getOrDefault("PATH", "") + java.io.File.pathSeparator + "/usr/bin:/bin";
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

  /** Every running process of process group {@code pgid} (Linux {@code /proc}); empty elsewhere. */
  public static Set<ProcessHandle> groupMembers(long pgid) {
    Set<ProcessHandle> out = new LinkedHashSet<>();
    if (pgid <= 1) {
      return out;
    }
    java.io.File[] dirs =
        new java.io.File("/proc").listFiles((d, n) -> n.chars().allMatch(Character::isDigit));
    if (dirs == null) {
      return out;
    }
    for (java.io.File d : dirs) {
      long pid = Long.parseLong(d.getName());
      if (pgidOf(pid) == pgid) {
        ProcessHandle.of(pid).filter(ProcessTree::isRunning).ifPresent(out::add);
      }
    }
    return out;
  }

  /** The process group of {@code pid} (Linux {@code /proc}), or -1 when unknown. */
  public static long pgidOf(long pid) {
    try {
      String stat =
          java.nio.file.Files.readString(
              java.nio.file.Path.of("/proc", Long.toString(pid), "stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
      return Long.parseLong(f[2]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /**
   * SIGKILLs every process of {@code processes} (and the whole group of each that leads its own
   * group, which catches their re-parented orphans), then waits at most {@code wait} until none
   * runs. Returns how many were running.
   */
  public static int killAll(java.util.Collection<ProcessHandle> processes, Duration wait) {
    Set<ProcessHandle> all = new LinkedHashSet<>(processes);
    int running = 0;
    for (ProcessHandle p : all) {
      if (!isRunning(p)) {
        continue;
      }
      running++;
      if (pgidOf(p.pid()) == p.pid()) {
        signalGroup(p.pid(), "KILL");
      }
      p.destroyForcibly();
    }
    if (running > 0) {
      awaitGone(all, wait);
    }
    return running;
  }

  /**
   * Every running process whose environment holds {@code name=value} (Linux {@code
   * /proc/<pid>/environ}, readable for our own processes): how descendants of a wrapper are found
   * after the wrapper itself was killed and they were re-parented. Empty elsewhere.
   */
  public static List<ProcessHandle> withEnvironment(String name, String value) {
    List<ProcessHandle> out = new ArrayList<>();
    byte[] needle = (name + "=" + value).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    java.io.File[] dirs =
        new java.io.File("/proc").listFiles((d, n) -> n.chars().allMatch(Character::isDigit));
    if (dirs == null) {
      return out;
    }
    long self = ProcessHandle.current().pid();
    for (java.io.File d : dirs) {
      long pid = Long.parseLong(d.getName());
      if (pid == self) {
        continue;
      }
      try {
        byte[] env = java.nio.file.Files.readAllBytes(d.toPath().resolve("environ"));
        if (containsEntry(env, needle)) {
          ProcessHandle.of(pid).filter(ProcessTree::isRunning).ifPresent(out::add);
        }
      } catch (IOException | RuntimeException e) {
        // gone, or not ours
      }
    }
    return out;
  }

  private static boolean containsEntry(byte[] env, byte[] entry) {
    int start = 0;
    for (int i = 0; i <= env.length; i++) {
      if (i == env.length || env[i] == 0) {
        if (i - start == entry.length
            && java.util.Arrays.equals(env, start, i, entry, 0, entry.length)) {
          return true;
        }
        start = i + 1;
      }
    }
    return false;
  }
}
