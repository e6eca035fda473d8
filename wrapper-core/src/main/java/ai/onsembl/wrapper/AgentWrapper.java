package ai.onsembl.wrapper;

import ai.onsembl.protocol.AgentConnect;
import ai.onsembl.protocol.AgentControl;
import ai.onsembl.protocol.AgentError;
import ai.onsembl.protocol.AgentErrorType;
import ai.onsembl.protocol.Capabilities;
import ai.onsembl.protocol.ControlAction;
import ai.onsembl.protocol.EnumValue;
import ai.onsembl.protocol.HealthMetrics;
import ai.onsembl.wrapper.command.CommandHandler;
import ai.onsembl.wrapper.command.CommandRunner;
import ai.onsembl.wrapper.command.CommandSettings;
import ai.onsembl.wrapper.command.SessionChild;
import ai.onsembl.wrapper.command.internal.SessionRouter;
import ai.onsembl.wrapper.internal.Log;
import ai.onsembl.wrapper.internal.child.ChildSupervisor;
import ai.onsembl.wrapper.internal.child.TreeMetrics;
import ai.onsembl.wrapper.internal.link.BackendLink;
import ai.onsembl.wrapper.internal.link.LinkListener;
import ai.onsembl.wrapper.internal.link.LinkSettings;
import ai.onsembl.wrapper.internal.shutdown.ShutdownCoordinator;
import ai.onsembl.wrapper.internal.shutdown.ShutdownCoordinator.Cause;
import ai.onsembl.wrapper.internal.shutdown.ShutdownCoordinator.Trigger;
import ai.onsembl.wrapper.internal.shutdown.SignalTrap;
import ai.onsembl.wrapper.internal.shutdown.WrapperShutdown;
import ai.onsembl.wrapper.internal.terminal.InteractiveMode;
import ai.onsembl.wrapper.internal.terminal.LocalTerminal;
import ai.onsembl.wrapper.run.AgentIds;
import ai.onsembl.wrapper.run.OrphanReaper;
import ai.onsembl.wrapper.run.RunFiles;
import ai.onsembl.wrapper.run.RunRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.function.IntConsumer;

/**
 * {@code onsembl-agent start} without picocli: the supervised child, the backend link, heartbeats,
 * reconnects and the one shutdown path. Lifecycle {@link LifecycleState}; {@link #run()} blocks
 * until the wrapper has stopped and returns its exit code, as the README lists them (the child's
 * own code when it exits by itself, 128+N after signal N or 0 with exit-zero-on-signal, 0 after
 * AGENT_CONTROL STOP or {@link #stop}, 3 when authentication is refused, 4 past give-up-after, 124
 * past the shutdown deadline). Configuration errors (a missing agent binary, an unreachable working
 * directory) are thrown as {@link AgentExitException} with code 2 before anything starts.
 *
 * <p>With {@link #ownProcess()} the wrapper also installs its signal handlers (TERM, INT, HUP, with
 * escalation), a JVM shutdown hook as backstop, and may {@code Runtime.halt} on escalation and past
 * the deadline; without it (in-process tests) nothing process-wide is touched.
 */
public final class AgentWrapper {
  private static final Duration HELD_BEFORE_RESET = Duration.ofSeconds(10);

  /**
   * A RESTART whose start fails is tried this many times in all, with {@link #RESTART_BACKOFF}
   * doubling.
   */
  static final int RESTART_ATTEMPTS = 3;

  static final Duration RESTART_BACKOFF = Duration.ofMillis(250);

  private final WrapperConfig config;
  private final CommandHandlerFactory handlerFactory;
  private boolean ownsProcess;
  private volatile LifecycleState state = LifecycleState.STARTING;
  private volatile String agentId;
  private volatile boolean restarting;
  private final Object restartLock = new Object();
  private final Log log = new Log(AgentWrapper.class, () -> agentId);
  private BackendLink link;
  private ChildSupervisor child;
  private CommandHandler handler;
  private ShutdownCoordinator coordinator;
  private RunFiles runFiles;
  private volatile RunRecord record;
  private String stableId;
  private boolean agentChild = true;
  private boolean interactive;
  private TokenSource tokenSource;
  private InteractiveMode terminal;
  private TreeMetrics commandTrees;
  private final long startedAtNanos = System.nanoTime();

  /**
   * Test seam: runs at the named point ("child-start", "restart-start") just before a child starts.
   */
  volatile java.util.function.Consumer<String> seam = point -> {};

  private AgentWrapper(WrapperConfig config, CommandHandlerFactory handlerFactory) {
    this.config = Objects.requireNonNull(config, "config");
    this.handlerFactory = Objects.requireNonNull(handlerFactory, "handlerFactory");
  }

  /**
   * A wrapper for {@code config}; {@code handlerFactory} makes the command handler once link and
   * child exist.
   */
  public static AgentWrapper create(WrapperConfig config, CommandHandlerFactory handlerFactory) {
    return new AgentWrapper(config, handlerFactory);
  }

  /**
   * Interactive mode: the agent runs in a pseudo-terminal sized like the user's terminal, which
   * goes into raw mode; keystrokes go to the agent byte for byte ({@code Ctrl+]} then {@code q}
   * stops the wrapper), its output comes back unchanged and is streamed as TERMINAL_OUTPUT too,
   * window resizes reach it, and dashboard commands are typed into it (announced in the window
   * title). The terminal is restored on every exit path except SIGKILL. Use with a session-mode
   * handler. Before {@link #run}.
   */
  public AgentWrapper interactive() {
    this.interactive = true;
    return this;
  }

  /**
   * True when stdin and stdout are both a terminal: where {@code start} runs interactively unless
   * told {@code --headless}. Never true with stdin from a pipe or a file (CI).
   */
  public static boolean terminalAttached() {
    return LocalTerminal.stdinAndStdoutAreTerminals();
  }

  /**
   * The link asks {@code source} for the token before every connect and reconnect (a saved login,
   * refreshed when it is about to expire) and hands it TOKEN_REFRESH frames; without one, the
   * config's token is used. Before {@link #run}.
   */
  public AgentWrapper tokenSource(TokenSource source) {
    this.tokenSource = source;
    return this;
  }

  /**
   * Lets the wrapper own the process: signal handlers, a shutdown hook, {@code Runtime.halt}.
   * Before {@link #run}.
   */
  public AgentWrapper ownProcess() {
    this.ownsProcess = true;
    return this;
  }

  public LifecycleState state() {
    return state;
  }

  /** The agent id in use (the backend's, once it assigned one). */
  public String agentId() {
    return agentId;
  }

  /**
   * The command {@code config} runs: the given one, else the kind's default; for {@code mock} the
   * mock agent in the distribution ({@code <onsembl.home>/bin/onsembl-mock-agent}). Not yet
   * resolved on PATH.
   */
  public static List<String> commandOf(WrapperConfig config) {
    if (!config.command().isEmpty()) {
      return config.command();
    }
    switch (config.agentKind()) {
      case MOCK -> {
        String home = System.getProperty("onsembl.home");
        if (home == null || home.isBlank()) {
          throw AgentExitException.invalidInput(
              "--agent mock needs the distribution's home (-Donsembl.home, set by the bin/onsembl-agent launcher)");
        }
        return List.of(Path.of(home, "bin", "onsembl-mock-agent").toString());
      }
      case CUSTOM ->
          throw AgentExitException.invalidInput(
              "--agent custom needs a command: -- COMMAND ARGS...");
      default -> {
        return config.agentKind().defaultCommand();
      }
    }
  }

  /**
   * What every process the wrapper starts carries in its environment ({@code ONSEMBL_WRAPPER_PID}),
   * so the next start can find and reap them if this wrapper is killed with SIGKILL. The command
   * runner's settings should include it for exec-mode commands.
   */
  public static Map<String, String> descendantEnvironment() {
    return Map.of(OrphanReaper.WRAPPER_PID_ENV, Long.toString(ProcessHandle.current().pid()));
  }

  /** Runs until the wrapper stops; returns the exit code. */
  public int run() {
    // Exec mode with a custom agent may have no agent command at all: commands come from the
    // template.
    boolean noCommand = config.agentKind() == AgentKind.CUSTOM && config.command().isEmpty();
    List<String> command =
        noCommand ? List.of() : ChildSupervisor.resolve(commandOf(config), config.workingDir());
    if (noCommand) {
      ChildSupervisor.checkWorkingDir(config.workingDir());
    }
    stableId =
        config.agentId() != null
            ? config.agentId()
            : new AgentIds(config.stateDir()).forName(config.name());
    agentId = stableId;
    runFiles = new RunFiles(config.stateDir());
    runFiles
        .read(stableId)
        .ifPresent(
            previous -> {
              if (previous.wrapperAlive() && previous.pid() != ProcessHandle.current().pid()) {
                throw AgentExitException.invalidInput(
                    "a wrapper with agent id "
                        + stableId
                        + " is already running (pid "
                        + previous.pid()
                        + "); stop it first: onsembl-agent stop --agent-id "
                        + stableId);
              }
              OrphanReaper.reap(previous).ifPresent(log::warn);
            });

    link =
        new BackendLink(
            linkSettings(),
            new Listener(),
            this::connectPayload,
            this::healthMetrics,
            // the reconnect backoff's jitter only spreads reconnects out: no need for the JCA here,
            // whose first SecureRandom (security properties, providers, OIDs: ~15 ms) then happens
            // on the link thread, for the handshake key, while this thread starts the child
            new Random());
    if (tokenSource != null) {
      link.setTokenSource(tokenSource);
    }
    Map<String, String> childEnv =
        Map.of(
            "ONSEMBL_AGENT_ID",
            stableId,
            OrphanReaper.WRAPPER_PID_ENV,
            Long.toString(ProcessHandle.current().pid()));
    SessionChild forHandler;
    if (interactive) {
      terminal = InteractiveMode.open();
      child =
          new ChildSupervisor(
              command,
              config.workingDir(),
              childEnv,
              link::agentId,
              terminal.pty(config.stateDir().resolve("native")));
      forHandler = terminal.announcing(child);
    } else {
      child = new ChildSupervisor(command, config.workingDir(), childEnv, link::agentId);
      forHandler = child;
    }
    // The handler exists before the child starts: in session mode it must hear the child's first
    // output.
    handler = handlerFactory.create(link, link::agentId, forHandler);
    // Headless exec mode runs one process per command: a bare long-lived agent (claude without -p
    // and
    // without a terminal) would only exit or hang, so there is none, and metrics cover the
    // commands' trees.
    agentChild =
        interactive
            || !(handler instanceof CommandRunner r
                && r.settings().mode() == CommandSettings.Mode.EXEC);
    if (agentChild && noCommand) {
      throw AgentExitException.invalidInput("--agent custom needs a command: -- COMMAND ARGS...");
    }
    IntConsumer halt = ownsProcess ? code -> Runtime.getRuntime().halt(code) : code -> {};
    coordinator =
        new ShutdownCoordinator(
            new WrapperShutdown(
                new ShutdownParts(),
                link,
                child,
                agentChild,
                handler,
                config.childGrace(),
                config.flushTimeout(),
                ownsProcess,
                log),
            config.shutdownTimeout(),
            config.flushTimeout(),
            halt,
            log);
    child.onPumpError(e -> internalError("the agent's output pump", e));
    if (ownsProcess) {
      // An Error on any other thread of ours (the command timer, a command's worker) ends the
      // wrapper too.
      // (An uncaught RuntimeException is only logged: it ends that thread, as it did before.)
      Thread.setDefaultUncaughtExceptionHandler(
          (th, e) -> {
            if (e instanceof Error) {
              internalError("thread " + th.getName(), e);
            } else {
              log.error("uncaught exception in thread " + th.getName(), e);
            }
          });
      List<String> trapped = SignalTrap.install(this::onSignal);
      log.debug("handling signals " + trapped);
      Thread hook =
          new Thread(
              () -> {
                coordinator.begin(new Trigger("JVM shutdown", 1));
                coordinator.awaitExit(config.shutdownTimeout().plusSeconds(1));
              },
              "onsembl-shutdown-hook");
      Runtime.getRuntime().addShutdownHook(hook);
      if (terminal != null) {
        // Also on a crash of the wrapper (an uncaught error ends the JVM): the user's terminal
        // comes back.
        Runtime.getRuntime().addShutdownHook(terminal.restoreHook());
      }
    }

    long self = ProcessHandle.current().pid();
    // The backend connection opens while the child starts (the connect costs a TCP and a WebSocket
    // handshake);
    // AGENT_CONNECT needs nothing from the child. Commands wait at the gate until the child is
    // running.
    StartGate gate = new StartGate(handler);
    link.setCommandHandler(gate);
    if (agentChild && !child.hasOutputListener()) {
      child.setOutputListener(new SessionRouter(link::agentId, link));
    }
    if (!agentChild) {
      commandTrees = TreeMetrics.ofChildren(ProcessHandle.current());
    }
    setState(LifecycleState.CONNECTING);
    link.start();
    try {
      if (agentChild) {
        seam.accept("child-start");
        // false when the shutdown began since the trap was installed (a signal, a STOP): nothing
        // may start now
        if (child.start() && terminal != null) {
          terminal.start(child, () -> stop("Stopped from the keyboard (Ctrl+] q)"), log);
        }
      } else {
        log.info("exec mode: no long-lived agent process; one process per command");
      }
    } catch (RuntimeException | Error e) {
      link.shutdown();
      throw e;
    } finally {
      gate.open();
    }
    firstRecord(
        new RunRecord(
            stableId,
            null,
            config.name(),
            self,
            RunRecord.startMillisOf(self),
            config.agentEndpoint().toString(),
            LifecycleState.STARTING.name(),
            System.currentTimeMillis(),
            child.isStarted() ? child.pid() : -1,
            child.isStarted() ? child.pgid() : -1,
            child.isStarted() ? RunRecord.startMillisOf(child.pid()) : 0,
            System.currentTimeMillis()));
    if (child.isStarted()) {
      watchChild();
    }

    int code = coordinator.awaitExit();
    link.shutdown();
    if (handler instanceof AutoCloseable c) {
      try {
        c.close();
      } catch (Exception e) {
        log.debug("closing the command handler: " + e);
      }
    }
    restoreTerminal();
    runFiles.delete(stableId);
    state = LifecycleState.STOPPED;
    log.info("stopped with exit code " + code);
    return code;
  }

  /**
   * Graceful stop with exit code 0 (as AGENT_CONTROL STOP). Safe from any thread, any number of
   * times.
   */
  public void stop(String reason) {
    ShutdownCoordinator c = coordinator;
    if (c != null) {
      c.begin(new Trigger(reason, 0));
    }
  }

  /**
   * Handles signal {@code name} (TERM, INT, HUP) exactly as a real one: the way tests reach the
   * escalation.
   */
  public void onSignal(String name) {
    int code = config.exitZeroOnSignal() ? 0 : 128 + SignalTrap.number(name);
    ShutdownCoordinator c = coordinator;
    if (c != null) {
      c.onSignal(name, new Trigger("Graceful shutdown (SIG" + name + ")", code));
    }
  }

  /** What the wrapper itself does while the coordinator stops it. */
  private final class ShutdownParts implements WrapperShutdown.Wrapper {
    @Override
    public void stateStopping() {
      setState(LifecycleState.STOPPING);
    }

    @Override
    public void restoreTerminal() {
      AgentWrapper.this.restoreTerminal();
    }

    @Override
    public void removeRunFile() {
      runFiles.delete(stableId);
    }
  }

  private void restoreTerminal() {
    InteractiveMode t = terminal;
    if (t != null) {
      t.restore();
    }
  }

  private LinkSettings linkSettings() {
    return new LinkSettings(
        config.agentEndpoint(),
        stableId,
        config.token(),
        config.heartbeatInterval(),
        config.reconnectMin(),
        config.reconnectMax(),
        HELD_BEFORE_RESET,
        config.connectTimeout(),
        config.giveUpAfter(),
        1000,
        8L << 20);
  }

  private void watchChild() {
    ChildSupervisor c = child;
    long pid = c.pid();
    c.onExit()
        .thenAccept(
            code -> {
              // A restarted child's predecessor may report its exit late: only the current child
              // ends the wrapper.
              if (restarting || coordinator.hasBegun() || c.pid() != pid) {
                return;
              }
              // The shutdown reads its output to the end before a session command it was running
              // ends.
              log.warn("agent process exited with code " + code);
              coordinator.begin(
                  new Trigger("Agent process exited with code " + code, code, Cause.AGENT_EXIT));
            });
  }

  /**
   * An Error (OutOfMemoryError included) on one of the wrapper's threads: stop, exit 1, never stay
   * up half-dead.
   */
  private void internalError(String where, Throwable e) {
    try {
      log.error("internal error in " + where + "; stopping", e);
    } catch (Throwable ignored) {
      // logging may fail too (out of memory); stopping matters more
    }
    ShutdownCoordinator c = coordinator;
    if (c != null) {
      c.begin(
          new Trigger(
              "Wrapper internal error in " + where + ": " + e,
              AgentExitException.INTERNAL,
              Cause.FAILURE));
    }
  }

  // Synchronized with writeRecord: a late ONLINE from the link thread must not overwrite STOPPING
  // on disk.
  private synchronized void setState(LifecycleState s) {
    if (state.isStopping() && !s.isStopping()) {
      return;
    }
    state = s;
    RunRecord r = record;
    if (r != null) {
      writeRecord(r.withState(s.name()));
    }
  }

  private synchronized void updateRecord(java.util.function.UnaryOperator<RunRecord> change) {
    if (record != null) {
      writeRecord(change.apply(record));
    }
  }

  /**
   * The run file's first version, with whatever the link reported before it (state, assigned id).
   */
  private synchronized void firstRecord(RunRecord r) {
    RunRecord first = r.withState(state.name());
    if (agentId != null && !agentId.equals(stableId)) {
      first = first.withBackendAgentId(agentId);
    }
    writeRecord(first);
  }

  /**
   * Holds commands that arrive before the agent process runs (the link connects while it starts):
   * each call waits until {@link #open()}, at most a few seconds, then goes to the real handler.
   */
  private static final class StartGate implements CommandHandler {
    private final CommandHandler target;
    private final java.util.concurrent.CountDownLatch started =
        new java.util.concurrent.CountDownLatch(1);

    StartGate(CommandHandler target) {
      this.target = target;
    }

    void open() {
      started.countDown();
    }

    private CommandHandler await() {
      try {
        started.await(10, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return target;
    }

    @Override
    public void onCommandRequest(ai.onsembl.protocol.CommandRequest request) {
      await().onCommandRequest(request);
    }

    @Override
    public void onCommandCancel(ai.onsembl.protocol.CommandCancel cancel) {
      await().onCommandCancel(cancel);
    }

    @Override
    public void onEmergencyStop(ai.onsembl.protocol.EmergencyStop stop) {
      await().onEmergencyStop(stop);
    }

    @Override
    public void pause() {
      await().pause();
    }

    @Override
    public void resume() {
      await().resume();
    }

    @Override
    public void cancelAll(String reason, Duration grace) {
      await().cancelAll(reason, grace);
    }

    @Override
    public CommandStats stats() {
      return target.stats();
    }
  }

  private synchronized void writeRecord(RunRecord r) {
    record = r;
    try {
      runFiles.write(r);
    } catch (RuntimeException e) {
      log.warn("cannot write run file: " + e.getMessage());
    }
  }

  private AgentConnect connectPayload(String id) {
    return new AgentConnect(
        id,
        config.name(),
        EnumValue.of(config.agentType()),
        config.version(),
        hostName(),
        Capabilities.of(0, true, false));
  }

  private HealthMetrics healthMetrics() {
    TreeMetrics.Sample s = agentChild ? child.metrics() : commandTrees.sample();
    long uptime =
        agentChild ? child.uptimeMillis() : (System.nanoTime() - startedAtNanos) / 1_000_000;
    CommandHandler.CommandStats stats =
        handler == null ? new CommandHandler.CommandStats(0, 0) : handler.stats();
    return new HealthMetrics(
        s.cpuPercent(),
        s.rssMb(),
        uptime,
        stats.commandsProcessed(),
        stats.averageResponseTimeMillis());
  }

  private static String hostName() {
    String h = System.getenv("HOSTNAME");
    if (h != null && !h.isBlank()) {
      return h;
    }
    try {
      return Files.readString(Path.of("/etc/hostname")).trim();
    } catch (Exception e) {
      return "unknown";
    }
  }

  private void restartChild(String reason) {
    if (!agentChild) {
      log.info(
          "AGENT_CONTROL RESTART ignored: exec mode has no long-lived agent process ("
              + reason
              + ")");
      return;
    }
    Thread t =
        new Thread(
            () -> {
              synchronized (restartLock) {
                if (coordinator.hasBegun()) {
                  return;
                }
                restarting = true;
                try {
                  log.info("restarting the agent (" + reason + ")");
                  child.terminate(config.childGrace());
                  // watchChild ignores the old child's exit while restarting: the command it was
                  // running ends here.
                  if (handler instanceof CommandRunner runner) {
                    runner.onSessionChildExit(child.exitCodeIfExited());
                  }
                  if (!startAgain(reason)) {
                    return;
                  }
                  updateRecord(
                      r ->
                          r.withChild(
                              child.pid(), child.pgid(), RunRecord.startMillisOf(child.pid())));
                  link.send(
                      new AgentError(
                          link.agentId(),
                          EnumValue.of(AgentErrorType.UNKNOWN),
                          "Agent process restarted (" + reason + ")",
                          true,
                          Map.of("pid", child.pid())));
                } finally {
                  restarting = false;
                }
                watchChild();
              }
            },
            "onsembl-restart");
    t.setDaemon(true);
    t.start();
  }

  /**
   * Starts the agent again: {@link #RESTART_ATTEMPTS} tries, {@link #RESTART_BACKOFF} doubling
   * between them; when all fail the wrapper stops with exit code 5. False when it did not start
   * (stopping, or given up).
   */
  private boolean startAgain(String reason) {
    String last = null;
    long backoff = RESTART_BACKOFF.toMillis();
    for (int attempt = 1; attempt <= RESTART_ATTEMPTS; attempt++) {
      if (coordinator.hasBegun()) {
        return false;
      }
      seam.accept("restart-start");
      try {
        // false when the shutdown began since the check above: then nothing was started
        return child.start();
      } catch (RuntimeException e) {
        last = e.getMessage();
        log.warn("restart attempt " + attempt + " of " + RESTART_ATTEMPTS + " failed: " + last);
      }
      if (attempt < RESTART_ATTEMPTS && coordinator.awaitBegun(Duration.ofMillis(backoff))) {
        return false;
      }
      backoff *= 2;
    }
    coordinator.begin(
        new Trigger(
            "Agent process could not be restarted ("
                + reason
                + ") after "
                + RESTART_ATTEMPTS
                + " attempts: "
                + last,
            AgentExitException.RESTART_FAILED,
            Cause.FAILURE));
    return false;
  }

  private final class Listener implements LinkListener {
    @Override
    public void online(String id, boolean firstTime) {
      agentId = id;
      setState(LifecycleState.ONLINE);
      if (!id.equals(stableId)) {
        updateRecord(r -> r.withBackendAgentId(id));
      }
      log.info(
          (firstTime ? "connected to " : "reconnected to ")
              + link.endpoint()
              + " as agent "
              + id
              + " (name "
              + config.name()
              + ", "
              + config.agentType()
              + ")");
    }

    @Override
    public void reconnecting(String why) {
      setState(LifecycleState.RECONNECTING);
    }

    @Override
    public void fatal(AgentExitException why) {
      coordinator.begin(new Trigger(why.getMessage(), why.exitCode(), Cause.FAILURE));
    }

    @Override
    public void internalError(Throwable e) {
      AgentWrapper.this.internalError("the backend link", e);
    }

    @Override
    public void control(AgentControl control) {
      String reason = control.reason() == null ? "" : ": " + control.reason();
      if (control.action().is(ControlAction.STOP)) {
        coordinator.begin(new Trigger("Stopped by AGENT_CONTROL STOP" + reason, 0));
      } else if (control.action().is(ControlAction.RESTART)) {
        restartChild("AGENT_CONTROL RESTART" + reason);
      }
    }
  }
}
