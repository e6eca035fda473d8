package ai.onsembl.wrapper.internal.child;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * CPU and resident memory of a process tree. On Linux from {@code /proc/<pid>/stat} (utime+stime)
 * and {@code /proc/<pid>/statm} (resident pages) of the root and every descendant; elsewhere CPU
 * from {@link ProcessHandle.Info#totalCpuDuration()} and no memory figure. CPU is the percentage of
 * one core used since the previous sample (the first sample measures from when this object was
 * made, at the child's start).
 */
public final class TreeMetrics {
  private static final boolean PROC = Files.isDirectory(Path.of("/proc/self"));
  private static final long CLOCK_TICKS_PER_SECOND =
      100; // USER_HZ, fixed at 100 on every Linux ABI
  private static final long PAGE_SIZE = 4096;

  /** One sample: percent of one core since the previous sample, resident memory in MiB. */
  public record Sample(double cpuPercent, double rssMb, int processes) {}

  private final ProcessHandle root;
  private final boolean includeRoot;
  private long lastCpuNanos;
  private long lastWallNanos;

  public TreeMetrics(ProcessHandle root) {
    this(root, true);
  }

  private TreeMetrics(ProcessHandle root, boolean includeRoot) {
    this.root = root;
    this.includeRoot = includeRoot;
    this.lastWallNanos = System.nanoTime();
  }

  /**
   * The trees of {@code parent}'s descendants, without {@code parent} itself: for the wrapper in
   * exec mode, the processes of the running commands (the JVM's own CPU and memory are not the
   * agent's).
   */
  public static TreeMetrics ofChildren(ProcessHandle parent) {
    return new TreeMetrics(parent, false);
  }

  public synchronized Sample sample() {
    Set<ProcessHandle> tree = new LinkedHashSet<>();
    if (includeRoot) {
      tree.add(root);
    }
    root.descendants().forEach(tree::add);
    long cpuNanos = 0;
    long rssBytes = 0;
    int alive = 0;
    for (ProcessHandle p : tree) {
      if (!p.isAlive()) {
        continue;
      }
      alive++;
      if (PROC) {
        cpuNanos += procCpuNanos(p.pid());
        rssBytes += procRssBytes(p.pid());
      } else {
        cpuNanos += p.info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(0L);
      }
    }
    long now = System.nanoTime();
    double percent = 0;
    if (lastCpuNanos >= 0 && now > lastWallNanos) {
      // A process that exited between samples takes its ticks with it: never report below zero.
      percent = Math.max(0, (cpuNanos - lastCpuNanos) * 100.0 / (now - lastWallNanos));
    }
    lastCpuNanos = cpuNanos;
    lastWallNanos = now;
    return new Sample(round(percent), round(rssBytes / (1024.0 * 1024.0)), alive);
  }

  private static double round(double v) {
    return Math.round(v * 10) / 10.0;
  }

  static long procCpuNanos(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // The command name (field 2) may hold spaces and parentheses: fields start after the last
      // ')'.
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
      long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime (14) + stime (15)
      return ticks * (1_000_000_000L / CLOCK_TICKS_PER_SECOND);
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  static long procRssBytes(long pid) {
    try {
      String[] f =
          Files.readString(Path.of("/proc", Long.toString(pid), "statm")).trim().split("\\s+");
      return Long.parseLong(f[1]) * PAGE_SIZE;
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }
}
