package ai.onsembl.e2e;

import ai.onsembl.wrapper.process.ProcessTree;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;

/**
 * A real OS process started by a test (the packaged launcher, usually), with its stdout and stderr
 * collected line by line: the e2e suite's one process harness, on the wrapper's own {@link
 * ProcessTree} (signals through kill(1), zombies told from running processes, whole groups reaped).
 * {@link #close()} SIGKILLs it and every descendant it left, so a failing test never leaks
 * processes. Only processes this object started are ever signalled.
 */
public final class RunningProcess implements AutoCloseable {
  private final String name;
  private final Process process;
  private final List<String> stdout = new ArrayList<>();
  private final List<String> stderr = new ArrayList<>();
  private final Set<ProcessHandle> seenDescendants = new java.util.LinkedHashSet<>();
  private final Thread outPump;
  private final Thread errPump;

  private RunningProcess(String name, Process process) {
    this.name = name;
    this.process = process;
    this.outPump = pump(process.getInputStream(), stdout, name + "-out");
    this.errPump = pump(process.getErrorStream(), stderr, name + "-err");
  }

  /** Starts {@code command} in {@code dir} with {@code env} added to this JVM's environment. */
  public static RunningProcess start(
      String name, List<String> command, Map<String, String> env, Path dir) {
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().putAll(env);
    if (dir != null) {
      pb.directory(dir.toFile());
    }
    pb.redirectInput(ProcessBuilder.Redirect.PIPE);
    try {
      return new RunningProcess(name, pb.start());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command, e);
    }
  }

  /** Starts the packaged launcher with {@code args}. */
  public static RunningProcess launcher(
      String name, Map<String, String> env, Path dir, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Dist.launcher().toString());
    cmd.addAll(List.of(args));
    return start(name, cmd, env, dir);
  }

  private Thread pump(InputStream in, List<String> sink, String threadName) {
    Thread t =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  synchronized (sink) {
                    sink.add(line);
                  }
                }
              } catch (IOException e) {
                // the process went away; what was read is kept
              }
            },
            threadName);
    t.setDaemon(true);
    t.start();
    return t;
  }

  public long pid() {
    return process.pid();
  }

  public Process process() {
    return process;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public List<String> stdout() {
    synchronized (stdout) {
      return List.copyOf(stdout);
    }
  }

  public List<String> stderr() {
    synchronized (stderr) {
      return List.copyOf(stderr);
    }
  }

  /** Waits until a stdout line matches and returns it. */
  public String awaitStdout(Predicate<String> match, Duration timeout) {
    return awaitLine(stdout, match, timeout, "stdout");
  }

  /** Waits until a stderr line matches and returns it. */
  public String awaitStderr(Predicate<String> match, Duration timeout) {
    return awaitLine(stderr, match, timeout, "stderr");
  }

  private String awaitLine(
      List<String> sink, Predicate<String> match, Duration timeout, String what) {
    String[] found = new String[1];
    Awaitility.await(name + " " + what + " line")
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(20))
        .failFast(
            name + " exited without printing it:\n" + "(see transcript)",
            () ->
                !process.isAlive()
                    && !outPump.isAlive()
                    && !errPump.isAlive()
                    && !contains(sink, match))
        .until(
            () -> {
              synchronized (sink) {
                for (String l : sink) {
                  if (match.test(l)) {
                    found[0] = l;
                    return true;
                  }
                }
              }
              return false;
            });
    return found[0];
  }

  private static boolean contains(List<String> sink, Predicate<String> match) {
    synchronized (sink) {
      return sink.stream().anyMatch(match);
    }
  }

  /** Sends a signal (TERM, INT, HUP, KILL, STOP, CONT) to this process only. */
  public void signal(String signal) {
    rememberDescendants();
    if (!ProcessTree.signal(process.pid(), signal)) {
      throw new IllegalStateException("kill -s " + signal + " " + process.pid() + " failed");
    }
  }

  /**
   * Sends a signal to this process's whole process group, as a terminal's Ctrl+C does to its
   * foreground group. Only valid for processes started through {@code setsid} (they lead their own
   * group).
   */
  public void signalGroup(String signal) {
    rememberDescendants();
    if (!ProcessTree.signalGroup(process.pid(), signal)) {
      throw new IllegalStateException("kill -s " + signal + " -- -" + process.pid() + " failed");
    }
  }

  /**
   * Records the current descendants, so that ones re-parented after our process dies are still
   * found.
   */
  public Set<ProcessHandle> rememberDescendants() {
    process.toHandle().descendants().forEach(seenDescendants::add);
    return Set.copyOf(seenDescendants);
  }

  /** Waits for exit and returns the exit code; fails the test if it does not exit in time. */
  public int awaitExit(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError(
            name
                + " (pid "
                + process.pid()
                + ") did not exit within "
                + timeout
                + "\nstderr:\n"
                + String.join("\n", stderr()));
      }
      outPump.join(2000);
      errPump.join(2000);
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * Descendants seen at any point that still run (a zombie waiting for init to reap it does not).
   */
  public List<ProcessHandle> survivingDescendants() {
    rememberDescendants();
    return seenDescendants.stream().filter(ProcessTree::isRunning).collect(Collectors.toList());
  }

  /**
   * "pid command line" of each of {@code handles} that still runs (zombies excluded), for
   * assertions.
   */
  public static List<String> running(Collection<ProcessHandle> handles) {
    return handles.stream()
        .filter(ProcessTree::isRunning)
        .map(h -> h.pid() + " " + h.info().commandLine().orElse("?"))
        .collect(Collectors.toList());
  }

  /** Output for failure messages. */
  public String transcript() {
    return name
        + " stdout:\n"
        + String.join("\n", stdout())
        + "\n"
        + name
        + " stderr:\n"
        + String.join("\n", stderr());
  }

  @Override
  public void close() {
    rememberDescendants();
    Set<ProcessHandle> all = new java.util.LinkedHashSet<>(seenDescendants);
    all.add(process.toHandle());
    ProcessTree.killAll(all, Duration.ofSeconds(5));
    try {
      process.waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
