package ai.onsembl.wrapper.internal.child;

import ai.onsembl.protocol.StreamType;
import ai.onsembl.wrapper.AgentExitException;
import ai.onsembl.wrapper.command.SessionChild;
import ai.onsembl.wrapper.internal.Log;
import ai.onsembl.wrapper.process.ProcessTree;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The agent as a supervised child: started in its own session through {@code setsid} where it
 * exists (so Ctrl+C in a terminal reaches only the wrapper, and the whole group can be signalled),
 * stdin for {@link #writeLine}, stdout/stderr pumped to the output listener (buffered until one is
 * set), its exit code as the JDK reports it (128+N after signal N), and the tree's CPU and memory.
 */
public final class ChildSupervisor implements SessionChild {
  private static final int MAX_EARLY_OUTPUT_CHARS = 256 * 1024;

  private final List<String> command;
  private final Path workingDir;
  private final Map<String, String> environment;
  private final Log log;
  private final Object outputLock = new Object();
  private final List<Object[]> earlyOutput = new ArrayList<>();
  private int earlyChars;
  private OutputListener listener;
  private volatile Process process;
  private volatile Writer stdin;
  private volatile TreeMetrics metrics;
  private volatile Instant startedAt;
  private volatile boolean groupLeader;
  private volatile ProcessHandle handle;

  /** The processes of this start's tree that got SIGTERM: each gets it once per stop. */
  private volatile Set<ProcessHandle> signalled = ProcessTree.newSignalledSet();

  private final List<Thread> pumps = new ArrayList<>();
  private final Pty pty;

  /**
   * Set once the wrapper stops: no start after that (a signal may come between a check and a
   * start).
   */
  private boolean stopped;

  private volatile Consumer<Throwable> errors = e -> {};

  public ChildSupervisor(
      List<String> command,
      Path workingDir,
      Map<String, String> environment,
      Supplier<String> agentId) {
    this(command, workingDir, environment, agentId, null);
  }

  /**
   * @param pty when not null, the child runs in a pseudo-terminal: its output goes unchanged to the
   *     pty's screen as well as to the listener (as STDOUT), lines are written with Enter (CR), and
   *     {@link #interrupt()} types Ctrl+C
   */
  public ChildSupervisor(
      List<String> command,
      Path workingDir,
      Map<String, String> environment,
      Supplier<String> agentId,
      Pty pty) {
    this.command = List.copyOf(command);
    this.workingDir = workingDir;
    this.environment = Map.copyOf(environment);
    this.log = new Log(ChildSupervisor.class, agentId);
    this.pty = pty;
  }

  /**
   * Checks, before anything starts, that the working directory exists and the command can be
   * executed; returns the command with its program resolved to an absolute path. Failures are exit
   * code 2.
   */
  public static List<String> resolve(List<String> command, Path workingDir) {
    checkWorkingDir(workingDir);
    if (command.isEmpty() || command.get(0).isBlank()) {
      throw AgentExitException.invalidInput(
          "no agent command: give --agent claude|gemini|codex|mock or -- COMMAND ARGS...");
    }
    String program = command.get(0);
    Optional<String> found;
    if (program.contains(File.separator)) {
      Path p = workingDir.resolve(program);
      found =
          Files.isRegularFile(p) && Files.isExecutable(p)
              ? Optional.of(p.toAbsolutePath().toString())
              : Optional.empty();
    } else {
      found = ProcessTree.findOnPath(program);
    }
    if (found.isEmpty()) {
      throw AgentExitException.invalidInput(
          "agent command '"
              + program
              + "' not found"
              + (program.contains(File.separator) ? " or not executable" : " on PATH"));
    }
    List<String> out = new ArrayList<>(command);
    out.set(0, found.get());
    return out;
  }

  /** Exit code 2 unless {@code workingDir} is a directory. */
  public static void checkWorkingDir(Path workingDir) {
    if (!Files.isDirectory(workingDir)) {
      throw AgentExitException.invalidInput(
          "--working-dir: " + workingDir + " is not a directory that can be reached");
    }
  }

  /**
   * Where an {@link Error} on a pump thread goes (an OutOfMemoryError while delivering output,
   * say): the wrapper then stops instead of staying online with a dead pump.
   */
  public void onPumpError(Consumer<Throwable> sink) {
    this.errors = sink;
  }

  /**
   * Starts the child (its command resolved by {@link #resolve}); false, and nothing started, once
   * {@link #stopForGood} was called (a shutdown that began between a caller's check and this
   * start).
   */
  public synchronized boolean start() {
    if (stopped) {
      log.info("not starting the agent: the wrapper is stopping");
      return false;
    }
    // Checked here too, not only by resolve(): through setsid a vanished program would "start" and
    // exit 127.
    Path program = Path.of(command.get(0));
    if (program.isAbsolute() && !(Files.isRegularFile(program) && Files.isExecutable(program))) {
      throw AgentExitException.invalidInput(
          "cannot start agent " + program + ": it is gone or not executable");
    }
    if (pty != null) {
      process = pty.start(command, workingDir, environment);
      groupLeader = true; // pty4j starts it in a new session
      handle =
          ProcessHandle.of(process.pid())
              .orElseThrow(
                  () ->
                      AgentExitException.invalidInput(
                          "agent " + command.get(0) + " exited at once in its pseudo-terminal"));
      startedAt = Instant.now();
      metrics = new TreeMetrics(handle);
      pumps.clear();
      signalled = ProcessTree.newSignalledSet();
      pumps.add(
          PtyPump.start(
              process.getInputStream(),
              pty.screen(),
              text -> {
                deliver(StreamType.STDOUT, text);
                awaitRoom();
              },
              e -> errors.accept(e)));
      log.info(
          "started agent "
              + String.join(" ", command)
              + " in a pseudo-terminal (pid "
              + process.pid()
              + ")");
      return true;
    }
    ProcessBuilder pb =
        new ProcessBuilder(ProcessTree.inOwnSession(command)).directory(workingDir.toFile());
    // The agent never sees the backend token: it is the wrapper's credential, not the agent's.
    pb.environment().remove("ONSEMBL_TOKEN");
    pb.environment().putAll(environment);
    try {
      process = pb.start();
    } catch (IOException e) {
      throw AgentExitException.invalidInput(
          "cannot start agent " + command.get(0) + ": " + e.getMessage());
    }
    groupLeader = ProcessTree.hasSetsid();
    handle = process.toHandle();
    startedAt = Instant.now();
    metrics = new TreeMetrics(process.toHandle());
    stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    pumps.clear();
    signalled = ProcessTree.newSignalledSet();
    pumps.add(pump(process.getInputStream(), StreamType.STDOUT));
    pumps.add(pump(process.getErrorStream(), StreamType.STDERR));
    log.info(
        "started agent "
            + String.join(" ", command)
            + " (pid "
            + process.pid()
            + (groupLeader ? ", own session" : "")
            + ")");
    return true;
  }

  private Thread pump(InputStream in, StreamType stream) {
    Thread t =
        new Thread(
            () -> {
              try (Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
                // Large reads: a child writing flat out fills the pipe (64 KiB) between two reads.
                char[] buf = new char[64 * 1024];
                int n;
                while ((n = r.read(buf)) >= 0) {
                  if (n > 0) {
                    deliver(stream, new String(buf, 0, n));
                    awaitRoom();
                  }
                }
              } catch (IOException e) {
                // the child is gone
              } catch (Error e) {
                errors.accept(e);
              }
            },
            "onsembl-child-" + stream.name().toLowerCase(java.util.Locale.ROOT));
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** Keystrokes for the agent, unchanged; false when the child is gone. */
  public boolean writeRaw(byte[] b, int off, int len) {
    Process p = process;
    if (p == null || !p.isAlive()) {
      return false;
    }
    synchronized (this) {
      try {
        java.io.OutputStream o = p.getOutputStream();
        o.write(b, off, len);
        o.flush();
        return true;
      } catch (IOException e) {
        return false;
      }
    }
  }

  /** Resizes the agent's pseudo-terminal (the kernel sends it SIGWINCH); a no-op without one. */
  public void resize(int columns, int rows) {
    if (process instanceof com.pty4j.PtyProcess p && p.isAlive()) {
      Pty.resize(p, columns, rows);
    }
  }

  /**
   * Back-pressure from the output listener, on a pump thread after it delivered what it read and
   * before it reads more (no lock held): while the backend cannot keep up, the child waits in its
   * write as it would on a slow terminal.
   */
  private void awaitRoom() {
    OutputListener l;
    synchronized (outputLock) {
      l = listener;
    }
    if (l != null) {
      l.awaitRoom();
    }
  }

  private void deliver(StreamType stream, String text) {
    synchronized (outputLock) {
      if (listener != null) {
        listener.onOutput(stream, text);
        return;
      }
      // Until a listener is set, keep the first output (bounded) so nothing the agent prints at
      // start is lost.
      if (earlyChars + text.length() <= MAX_EARLY_OUTPUT_CHARS) {
        earlyOutput.add(new Object[] {stream, text});
        earlyChars += text.length();
      }
    }
  }

  @Override
  public void setOutputListener(OutputListener l) {
    synchronized (outputLock) {
      this.listener = l;
      if (l != null) {
        for (Object[] e : earlyOutput) {
          l.onOutput((StreamType) e[0], (String) e[1]);
        }
        earlyOutput.clear();
        earlyChars = 0;
      }
    }
  }

  /** Hands what the output listener holds back (a linger buffer) on now. */
  public void flushOutput() {
    OutputListener l;
    synchronized (outputLock) {
      l = listener;
    }
    if (l != null) {
      l.flush();
    }
  }

  /**
   * Waits until the child has exited and its stdout and stderr (or pty) were read to their end and
   * handed to the listener, at most until {@code deadlineNanos} ({@link System#nanoTime()}). True
   * when all of it was; true at once when no child was ever started.
   */
  public boolean awaitOutputDrained(long deadlineNanos) {
    Process p = process;
    if (p == null) {
      return true;
    }
    try {
      p.onExit().get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
      List<Thread> current;
      synchronized (this) {
        current = List.copyOf(pumps);
      }
      for (Thread t : current) {
        long left = deadlineNanos - System.nanoTime();
        if (left > 0) {
          TimeUnit.NANOSECONDS.timedJoin(t, left);
        }
        if (t.isAlive()) {
          return false;
        }
      }
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (Exception e) {
      return false; // not exited in time
    }
  }

  /** True once someone listens to the output (the command runner in session mode). */
  public boolean hasOutputListener() {
    synchronized (outputLock) {
      return listener != null;
    }
  }

  @Override
  public boolean writeLine(String line) {
    if (pty != null) {
      // Typed as if by the user: Enter is CR in a terminal.
      byte[] typed =
          (line.replace("\r\n", "\r").replace('\n', '\r') + "\r").getBytes(StandardCharsets.UTF_8);
      return writeRaw(typed, 0, typed.length);
    }
    Writer w = stdin;
    Process p = process;
    if (w == null || p == null || !p.isAlive()) {
      return false;
    }
    synchronized (this) {
      try {
        w.write(line);
        w.write('\n');
        w.flush();
        return true;
      } catch (IOException e) {
        return false;
      }
    }
  }

  /**
   * SIGINT to the child's process group (to the child alone when it does not lead a group), as
   * Ctrl+C in a terminal would: an agent abandons the current prompt and keeps its session.
   */
  @Override
  public boolean interrupt() {
    Process p = process;
    if (p == null || !p.isAlive()) {
      return false;
    }
    if (pty != null) {
      // Ctrl+C through the terminal reaches its foreground job (a shell's running command), not
      // only the shell.
      return writeRaw(new byte[] {3}, 0, 1);
    }
    return groupLeader
        ? ProcessTree.signalGroup(p.pid(), "INT")
        : ProcessTree.signal(p.pid(), "INT");
  }

  /** Completes with the exit code when the child exits (128+N after signal N). */
  public CompletableFuture<Integer> onExit() {
    return process.onExit().thenApply(Process::exitValue);
  }

  /** The exit code once the current child has exited, else null. */
  public Integer exitCodeIfExited() {
    Process p = process;
    return p == null || p.isAlive() ? null : p.exitValue();
  }

  /** True once a child was started. */
  public boolean isStarted() {
    return process != null;
  }

  public boolean isAlive() {
    Process p = process;
    return p != null && p.isAlive();
  }

  public long pid() {
    return process.pid();
  }

  /** The child's process group id when it leads its own group, else -1. */
  public long pgid() {
    return groupLeader ? process.pid() : -1;
  }

  public Instant startedAt() {
    return startedAt;
  }

  /** Milliseconds since the child started. */
  public long uptimeMillis() {
    Instant s = startedAt;
    return s == null ? 0 : Duration.between(s, Instant.now()).toMillis();
  }

  public TreeMetrics.Sample metrics() {
    TreeMetrics m = metrics;
    return m == null ? new TreeMetrics.Sample(0, 0, 0) : m.sample();
  }

  /**
   * SIGTERM to the whole tree (group and every descendant), {@code grace}, then SIGKILL to whatever
   * is left, and waits (bounded) until they are gone. Returns how many had to be killed.
   */
  public int terminate(Duration grace) {
    Process p = process;
    if (p == null) {
      return 0;
    }
    if (pty != null && p.isAlive()) {
      // As a closed terminal window would: an interactive shell ignores SIGTERM but ends on SIGHUP.
      ProcessTree.signalGroup(p.pid(), "HUP");
    }
    int killed = ProcessTree.terminate(handle, groupLeader, grace, signalled);
    awaitGone(p, Duration.ofSeconds(1));
    return killed;
  }

  /**
   * The wrapper is stopping: no start from now on ({@link #start} returns false), then {@link
   * #terminate}.
   */
  public int stopForGood(Duration grace) {
    synchronized (this) {
      stopped = true;
    }
    return terminate(grace);
  }

  /**
   * The wrapper is stopping: no start from now on, and SIGTERM to the agent at once, by a system
   * call (no kill(1), no walk of the process table, no wait). {@link #stopForGood} follows with the
   * group, the grace and the SIGKILL.
   */
  public void signalStop() {
    synchronized (this) {
      stopped = true;
    }
    Process p = process;
    if (p != null) {
      // One system call, through the handle: Process.destroy() would also close the pipes and lose
      // what the agent prints on SIGTERM. The walk of the process table for the agent's descendants
      // (a shell waits for its foreground child before it runs its TERM trap) is stopChild's, on
      // its
      // own thread: done here it held the shutdown up by the length of the walk.
      ProcessHandle root = p.toHandle();
      ProcessTree.terminateOnce(root, signalled);
      ProcessTree.terminateChildrenNow(root, signalled);
    }
  }

  /** SIGKILL to the whole tree at once (the second signal's path). */
  public void killNow() {
    synchronized (this) {
      stopped = true;
    }
    Process p = process;
    if (p != null) {
      ProcessTree.kill(handle, groupLeader, Set.of());
    }
  }

  private void awaitGone(Process p, Duration max) {
    try {
      p.onExit().get(max.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      // bounded wait only
    }
    for (Thread t : pumps) {
      try {
        t.join(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
