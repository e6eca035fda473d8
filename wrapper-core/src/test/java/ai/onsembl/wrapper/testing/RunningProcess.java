package ai.onsembl.wrapper.testing;

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
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;

/**
 * A real OS process started by a test (the packaged launcher, a JVM on the test class path, a tool
 * such as keytool or a plain {@code sleep}), with its stdout and stderr collected line by line: the
 * repository's one process harness, used by wrapper-cli's and e2e's tests, on the wrapper's own
 * {@link ProcessTree} (signals through kill(1), zombies told from running processes, whole groups
 * reaped). {@link #close()} SIGKILLs it and every descendant it left, so a failing test never leaks
 * processes. Only processes this object started are ever signalled.
 */
public final class RunningProcess implements AutoCloseable {
  private final String name;
  private final Process process;
  private final List<String> stdout = new ArrayList<>();
  private final List<String> stderr = new ArrayList<>();
  private final Set<ProcessHandle> seenDescendants = new LinkedHashSet<>();
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
    return builder(name, command).env(env).dir(dir).start();
  }

  /** Starts {@code command} in this JVM's directory and environment. */
  public static RunningProcess start(String name, String... command) {
    return builder(name, List.of(command)).start();
  }

  /**
   * Runs {@code command} to its end, stderr merged into stdout, and returns what it printed (lines
   * joined with newlines); fails the test when it does not exit 0 within {@code timeout}.
   */
  public static String run(String name, Duration timeout, String... command) {
    try (RunningProcess p = builder(name, List.of(command)).mergeStderr().start()) {
      int code = p.awaitExit(timeout);
      String out = String.join("\n", p.stdout());
      if (code != 0) {
        throw new AssertionError(String.join(" ", command) + " exited " + code + ":\n" + out);
      }
      return out;
    }
  }

  /**
   * A start with more choices than {@link #start(String, List, Map, Path)}: see {@link Builder}.
   */
  public static Builder builder(String name, List<String> command) {
    return new Builder(name, command);
  }

  /**
   * The command line of a JVM (this one's {@code java}) running {@code main} on this test run's
   * class path, with {@code jvmOptions} before the class name and {@code args} after it.
   */
  public static List<String> javaCommand(List<String> jvmOptions, Class<?> main, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmOptions);
    cmd.add("-cp");
    cmd.add(System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
    cmd.add(main.getName());
    cmd.addAll(List.of(args));
    return cmd;
  }

  /** How to start a {@link RunningProcess}: environment, directory, stderr. */
  public static final class Builder {
    private final String name;
    private final List<String> command;
    private final Map<String, String> env = new LinkedHashMap<>();
    private final Set<String> unset = new LinkedHashSet<>();
    private Path dir;
    private boolean mergeStderr;

    private Builder(String name, List<String> command) {
      this.name = name;
      this.command = List.copyOf(command);
    }

    /** Adds {@code vars} to the environment inherited from this JVM. */
    public Builder env(Map<String, String> vars) {
      vars.forEach(this::env);
      return this;
    }

    /** Sets one environment variable. */
    public Builder env(String key, String value) {
      unset.remove(key);
      env.put(key, value);
      return this;
    }

    /** Removes {@code key} from the environment inherited from this JVM (a token, say). */
    public Builder unsetEnv(String key) {
      env.remove(key);
      unset.add(key);
      return this;
    }

    /** The working directory; {@code null} (the default) is this JVM's. */
    public Builder dir(Path dir) {
      this.dir = dir;
      return this;
    }

    /**
     * Stderr goes to the same pipe as stdout: {@link RunningProcess#stdout()} has both, in order.
     */
    public Builder mergeStderr() {
      this.mergeStderr = true;
      return this;
    }

    public RunningProcess start() {
      ProcessBuilder pb = new ProcessBuilder(command);
      unset.forEach(pb.environment()::remove);
      pb.environment().putAll(env);
      if (dir != null) {
        pb.directory(dir.toFile());
      }
      pb.redirectInput(ProcessBuilder.Redirect.PIPE);
      pb.redirectErrorStream(mergeStderr);
      try {
        return new RunningProcess(name, pb.start());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start " + command, e);
      }
    }
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
                + "\n"
                + transcript());
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
    Set<ProcessHandle> all = new LinkedHashSet<>(seenDescendants);
    all.add(process.toHandle());
    ProcessTree.killAll(all, Duration.ofSeconds(5));
    try {
      process.waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
