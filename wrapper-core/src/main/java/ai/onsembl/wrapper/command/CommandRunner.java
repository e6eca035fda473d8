package ai.onsembl.wrapper.command;

import ai.onsembl.protocol.ActivityState;
import ai.onsembl.protocol.CommandCancel;
import ai.onsembl.protocol.CommandRequest;
import ai.onsembl.protocol.CommandStatus;
import ai.onsembl.protocol.EmergencyStop;
import ai.onsembl.protocol.ExecutionConstraints;
import ai.onsembl.protocol.OutputStats;
import ai.onsembl.protocol.Payload;
import ai.onsembl.wrapper.Outbound;
import ai.onsembl.wrapper.command.CommandSettings.Mode;
import ai.onsembl.wrapper.command.internal.ExecExecution;
import ai.onsembl.wrapper.command.internal.Execution;
import ai.onsembl.wrapper.command.internal.Frames;
import ai.onsembl.wrapper.command.internal.Outcome;
import ai.onsembl.wrapper.command.internal.PromptCheck;
import ai.onsembl.wrapper.command.internal.SessionExecution;
import ai.onsembl.wrapper.command.internal.SessionRouter;
import ai.onsembl.wrapper.command.internal.Threads;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs what the backend asks and reports it truthfully.
 *
 * <p>For each COMMAND_REQUEST: COMMAND_ACK RECEIVED (or QUEUED with {@code queuePosition} while all
 * slots are busy or the runner is paused), COMMAND_ACK EXECUTING when it starts, TERMINAL_OUTPUT
 * through an {@link OutputStreamer}, and exactly one COMMAND_COMPLETE (COMPLETED, FAILED or
 * CANCELLED, with exit code, execution time and line counts) after the last output frame. Queued
 * commands start in arrival order.
 *
 * <p>Refusals: a request without {@code commandId} gets AGENT_ERROR; a {@code commandId} that is
 * already running or queued gets AGENT_ERROR and is ignored (a COMMAND_COMPLETE would end the
 * running one on the backend); a request without text, or with a prompt over {@link
 * CommandSettings#maxPromptBytes()}, gets ACK RECEIVED then COMMAND_COMPLETE FAILED saying why;
 * after {@link #cancelAll} every request gets COMMAND_COMPLETE CANCELLED with the shutdown reason.
 * A COMMAND_CANCEL for an unknown id is logged.
 *
 * <p>Every method returns quickly except {@link #cancelAll} and {@link #close}, and all are
 * thread-safe. Frames go to the non-blocking {@link Outbound}, in a consistent order per command.
 */
public final class CommandRunner implements CommandHandler, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CommandRunner.class);

  /** What {@link #cancelAll} allows beyond the grace for SIGKILL, reaping and the last frames. */
  private static final Duration KILL_MARGIN = Duration.ofSeconds(1);

  private final CommandSettings settings;
  private final Outbound outbound;
  private final Supplier<String> agentId;
  private final SessionChild sessionChild;
  private final SessionRouter router;
  private final ExecutorService pool =
      Executors.newCachedThreadPool(Threads.daemon("onsembl-command-worker"));

  private final ArrayDeque<CommandRequest> queue = new ArrayDeque<>();
  private final Map<String, Execution> running = new LinkedHashMap<>();
  private boolean paused;
  private String closedReason;
  private long processed;
  private long totalMillis;

  /**
   * @param settings how commands run
   * @param outbound where frames go
   * @param agentId the current agent id (the backend may assign a new one on each connect)
   * @param sessionChild the long-lived child in {@link Mode#SESSION} (the runner becomes its output
   *     listener at once); null in {@link Mode#EXEC}
   */
  public CommandRunner(
      CommandSettings settings,
      Outbound outbound,
      Supplier<String> agentId,
      SessionChild sessionChild) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.outbound = Objects.requireNonNull(outbound, "outbound");
    this.agentId = Objects.requireNonNull(agentId, "agentId");
    if (settings.mode() == Mode.SESSION) {
      this.sessionChild =
          Objects.requireNonNull(sessionChild, "session mode needs the session child, got null");
      this.router = new SessionRouter(agentId, outbound);
      sessionChild.setOutputListener(router);
    } else {
      this.sessionChild = null;
      this.router = null;
    }
  }

  public CommandSettings settings() {
    return settings;
  }

  @Override
  public void onCommandRequest(CommandRequest request) {
    String id = request.commandId();
    if (id == null || id.isBlank()) {
      send(
          Frames.executionError(
              agentId.get(), "COMMAND_REQUEST without a commandId: ignored", null));
      return;
    }
    String text = request.text();
    synchronized (this) {
      if (closedReason != null) {
        send(Frames.notRun(id, agentId.get(), Outcome.cancelled(closedReason)));
        return;
      }
      Execution current = running.get(id);
      if (current != null || isQueued(id)) {
        send(
            Frames.executionError(
                agentId.get(),
                "Duplicate COMMAND_REQUEST for commandId "
                    + id
                    + ": it is already "
                    + (current != null ? "EXECUTING" : "QUEUED")
                    + "; the duplicate is ignored",
                id));
        return;
      }
      String refusal =
          PromptCheck.refusal(text, settings.maxPromptBytes(), settings.mode() == Mode.EXEC);
      if (refusal != null) {
        send(Frames.ack(id, agentId.get(), CommandStatus.RECEIVED, null));
        send(Frames.notRun(id, agentId.get(), Outcome.failed(refusal)));
        return;
      }
      if (queue.isEmpty() && hasFreeSlot()) {
        send(Frames.ack(id, agentId.get(), CommandStatus.RECEIVED, null));
        startLocked(request);
      } else {
        queue.addLast(request);
        send(Frames.ack(id, agentId.get(), CommandStatus.QUEUED, queue.size()));
      }
    }
  }

  @Override
  public void onCommandCancel(CommandCancel cancel) {
    String id = cancel.commandId();
    String reason =
        cancel.reason() == null || cancel.reason().isBlank() ? "cancelled" : cancel.reason();
    synchronized (this) {
      if (removeQueued(id)) {
        send(Frames.notRun(id, agentId.get(), Outcome.cancelled(reason)));
        return;
      }
      Execution e = running.get(id);
      if (e == null) {
        LOG.info("COMMAND_CANCEL for {}: no such command running or queued here; ignored", id);
        return;
      }
      e.stop(
          Outcome.cancelled(reason),
          Boolean.TRUE.equals(cancel.force()) ? null : settings.cancelGrace());
    }
  }

  /** Cancels every running and queued command at once with SIGKILL; keeps taking new commands. */
  @Override
  public void onEmergencyStop(EmergencyStop stop) {
    String reason =
        "emergency stop"
            + (stop.reason() == null || stop.reason().isBlank() ? "" : ": " + stop.reason());
    stopEverything(reason, null);
  }

  @Override
  public synchronized void pause() {
    paused = true;
  }

  @Override
  public synchronized void resume() {
    paused = false;
    dispatchLocked();
  }

  public synchronized boolean isPaused() {
    return paused;
  }

  /**
   * Refuses new work from now on, completes queued commands CANCELLED with {@code reason} and stops
   * the running ones (SIGTERM, {@code grace}, SIGKILL). Returns once all have sent
   * COMMAND_COMPLETE, or after {@code grace} plus one second for the SIGKILL and the last frames.
   */
  @Override
  public void cancelAll(String reason, Duration grace) {
    String why = reason == null || reason.isBlank() ? "agent shutting down" : reason;
    synchronized (this) {
      if (closedReason == null) {
        closedReason = why;
      }
    }
    stopEverything(why, grace);
    long deadline = System.nanoTime() + grace.plus(KILL_MARGIN).toNanos();
    synchronized (this) {
      while (!running.isEmpty()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          LOG.warn(
              "cancelAll: {} command(s) still not complete after {}",
              running.size(),
              grace.plus(KILL_MARGIN));
          return;
        }
        try {
          wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  @Override
  public synchronized CommandStats stats() {
    return new CommandStats(processed, processed == 0 ? 0.0 : (double) totalMillis / processed);
  }

  /** PROCESSING while a command runs, QUEUED while commands only wait, else IDLE. */
  public synchronized ActivityState activityState() {
    if (!running.isEmpty()) {
      return ActivityState.PROCESSING;
    }
    return queue.isEmpty() ? ActivityState.IDLE : ActivityState.QUEUED;
  }

  /** Ids of the commands running now, in start order. */
  public synchronized List<String> runningCommandIds() {
    return List.copyOf(running.keySet());
  }

  /** Ids of the queued commands, in the order they will start. */
  public synchronized List<String> queuedCommandIds() {
    return queue.stream().map(CommandRequest::commandId).toList();
  }

  /**
   * Session mode: the long-lived child has exited, so the current command can never finish
   * normally; it completes FAILED "agent process exited with code N". Call it from the child
   * supervisor; a no-op in exec mode.
   */
  public void onSessionChildExit(Integer exitCode) {
    List<Execution> current;
    synchronized (this) {
      current = new ArrayList<>(running.values());
    }
    for (Execution e : current) {
      if (e instanceof SessionExecution s) {
        s.childExited(exitCode);
      }
    }
  }

  /**
   * Cancels what is left ("agent shutting down", with the settings' grace) and releases the
   * runner's threads. Idempotent.
   */
  @Override
  public void close() {
    cancelAll("agent shutting down", settings.cancelGrace());
    if (router != null) {
      router.flush();
    }
    pool.shutdown();
  }

  private void stopEverything(String reason, Duration grace) {
    synchronized (this) {
      for (CommandRequest r : queue) {
        send(Frames.notRun(r.commandId(), agentId.get(), Outcome.cancelled(reason)));
      }
      queue.clear();
      for (Execution e : running.values()) {
        e.stop(Outcome.cancelled(reason), grace);
      }
    }
  }

  private void startLocked(CommandRequest request) {
    String id = request.commandId();
    ExecutionConstraints c = request.executionConstraints();
    Long timeLimitMs = c == null ? null : c.timeLimitMs();
    OutputStreamer streamer = new OutputStreamer(id, agentId, outbound);
    Execution e =
        settings.mode() == Mode.EXEC
            ? new ExecExecution(
                id, request.text(), timeLimitMs, settings, streamer, pool, this::finished)
            : new SessionExecution(
                id,
                request.text(),
                timeLimitMs,
                settings.cancelGrace(),
                sessionChild,
                router,
                settings.sessionCompletion(),
                streamer,
                pool,
                this::finished);
    running.put(id, e);
    send(Frames.ack(id, agentId.get(), CommandStatus.EXECUTING, null));
    e.start();
  }

  private void finished(Execution e, Outcome outcome, long millis, OutputStats stats) {
    synchronized (this) {
      running.remove(e.commandId());
      processed++;
      totalMillis += millis;
      send(Frames.complete(e.commandId(), agentId.get(), outcome, millis, stats));
      LOG.info(
          "command {} {}{} in {} ms",
          e.commandId(),
          outcome.status(),
          outcome.error() == null ? "" : " (" + outcome.error() + ")",
          millis);
      dispatchLocked();
      notifyAll();
    }
  }

  private void dispatchLocked() {
    while (closedReason == null && hasFreeSlot() && !queue.isEmpty()) {
      startLocked(queue.pollFirst());
    }
  }

  private boolean hasFreeSlot() {
    int slots = settings.mode() == Mode.SESSION ? 1 : settings.concurrency();
    return !paused && running.size() < slots;
  }

  private boolean isQueued(String id) {
    return queue.stream().anyMatch(r -> id.equals(r.commandId()));
  }

  private boolean removeQueued(String id) {
    return queue.removeIf(r -> id.equals(r.commandId()));
  }

  private void send(Payload payload) {
    try {
      if (!outbound.send(payload)) {
        LOG.warn("the outbound queue refused {}", payload.type());
      }
    } catch (RuntimeException e) {
      // A failing link must not leave a command half-finished in the runner's books.
      LOG.warn("sending {} failed: {}", payload.type(), e.toString());
    }
  }
}
