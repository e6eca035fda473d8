package ai.onsembl.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The packaged distribution and /proc readings of processes the bench started. */
final class Procs {
  private Procs() {}

  /** {@code wrapper-cli/target/onsembl-agent}, or {@code -Dbench.dist}. */
  static Path dist() {
    return Path.of(System.getProperty("bench.dist", "wrapper-cli/target/onsembl-agent"))
        .toAbsolutePath();
  }

  static String launcher() {
    return dist().resolve("bin/onsembl-agent").toString();
  }

  /** VmRSS in KiB, or -1 when the process is gone. */
  static long rssKib(long pid) {
    return statusField(pid, "VmRSS:");
  }

  static long threads(long pid) {
    return statusField(pid, "Threads:");
  }

  private static long statusField(long pid, String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith(field)) {
          return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]);
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  /** utime + stime in clock ticks (USER_HZ, 100 on Linux). */
  static long cpuTicks(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** SIGTERM, then SIGKILL after {@code grace}; also kills what is left of its descendants. */
  static void stop(Process p, Duration grace) {
    List<ProcessHandle> tree = p.descendants().toList();
    p.destroy();
    try {
      if (!p.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
    }
    tree.forEach(ProcessHandle::destroyForcibly);
  }

  static double ms(long nanos) {
    return nanos / 1e6;
  }

  static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
