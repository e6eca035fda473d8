package ai.onsembl.wrapper.internal.shutdown;

import ai.onsembl.protocol.AgentDisconnect;
import ai.onsembl.wrapper.command.CommandHandler;
import ai.onsembl.wrapper.command.CommandRunner;
import ai.onsembl.wrapper.internal.Log;
import ai.onsembl.wrapper.internal.child.ChildSupervisor;
import ai.onsembl.wrapper.internal.link.BackendLink;
import ai.onsembl.wrapper.internal.shutdown.ShutdownCoordinator.Trigger;
import ai.onsembl.wrapper.process.ProcessTree;
import ai.onsembl.wrapper.run.OrphanReaper;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The wrapper's shutdown steps, in the order {@link ShutdownCoordinator} runs them: the agent's
 * tree, the agent's last output, the commands, the goodbye, the sweep; and the escalation paths'
 * kills.
 */
public final class WrapperShutdown implements ShutdownCoordinator.Steps {
  private static final Duration COMMAND_CANCEL_GRACE = Duration.ofSeconds(1);

  /** What the wrapper itself does during the shutdown. */
  public interface Wrapper {
    /** The lifecycle state becomes STOPPING (run file included). */
    void stateStopping();

    /** Interactive mode: the user's terminal back as it was (a no-op headless). */
    void restoreTerminal();

    void removeRunFile();
  }

  private final Wrapper wrapper;
  private final BackendLink link;
  private final ChildSupervisor child;
  private final boolean agentChild;
  private final CommandHandler handler;
  private final Duration childGrace;
  private final Duration flushTimeout;
  private final boolean ownsProcess;
  private final Log log;

  /**
   * @param agentChild false in headless exec mode, where {@code child} is never started
   * @param ownsProcess whether the wrapper owns the JVM: only then are other processes swept
   */
  public WrapperShutdown(
      Wrapper wrapper,
      BackendLink link,
      ChildSupervisor child,
      boolean agentChild,
      CommandHandler handler,
      Duration childGrace,
      Duration flushTimeout,
      boolean ownsProcess,
      Log log) {
    this.wrapper = wrapper;
    this.link = link;
    this.child = child;
    this.agentChild = agentChild;
    this.handler = handler;
    this.childGrace = childGrace;
    this.flushTimeout = flushTimeout;
    this.ownsProcess = ownsProcess;
    this.log = log;
  }

  @Override
  public void signalAgent() {
    if (agentChild) {
      child.signalStop();
    }
  }

  @Override
  public void stateStopping() {
    wrapper.stateStopping();
  }

  @Override
  public void stopChild() {
    int killed = child.stopForGood(childGrace);
    wrapper.restoreTerminal();
    if (killed > 0) {
      log.warn(
          "killed "
              + killed
              + " process(es) of the agent's tree that outlived the "
              + childGrace.toMillis()
              + " ms grace");
    }
  }

  @Override
  public void cancelCommands(String reason) {
    if (handler == null) {
      return;
    }
    try {
      handler.cancelAll(
          "agent shutting down",
          COMMAND_CANCEL_GRACE.compareTo(childGrace) < 0 ? COMMAND_CANCEL_GRACE : childGrace);
    } catch (RuntimeException e) {
      log.error("cancelling commands", e);
    }
  }

  @Override
  public boolean awaitAgentOutput(long deadlineNanos) {
    if (!agentChild) {
      return true;
    }
    boolean drained = child.awaitOutputDrained(deadlineNanos);
    Integer code = child.exitCodeIfExited();
    if (code != null && handler instanceof CommandRunner runner) {
      // A session command the agent was running ends now, after every line the agent printed for
      // it.
      runner.onSessionChildExit(code);
    }
    return drained;
  }

  @Override
  public void flushOutput() {
    if (agentChild) {
      child.flushOutput();
    }
  }

  @Override
  public void goodbye(Trigger t) {
    boolean said = link.goodbye(disconnect(t), flushTimeout);
    log.debug(said ? "AGENT_DISCONNECT sent and connection closed" : "no goodbye: not connected");
  }

  @Override
  public void killNow(Trigger t) {
    // Goodbye first: the socket's writer thread sends it while the kills below run.
    link.goodbyeNow(disconnect(t));
    child.killNow();
    wrapper.restoreTerminal(); // before a halt, which runs no shutdown hook
    if (ownsProcess) {
      // Commands in sessions of their own (exec mode) and re-parented orphans: nothing may outlive
      // the halt.
      ProcessTree.killAll(everythingStarted(), Duration.ofMillis(400));
    }
  }

  @Override
  public void killEverythingNow() {
    wrapper.restoreTerminal();
    if (ownsProcess) {
      ProcessTree.killAll(everythingStarted(), Duration.ZERO);
    }
  }

  @Override
  public void finalSweep() {
    if (!ownsProcess) {
      return;
    }
    int left = ProcessTree.killAll(everythingStarted(), Duration.ofSeconds(1));
    if (left > 0) {
      log.warn("killed " + left + " leftover process(es) started by the wrapper");
    }
  }

  @Override
  public void removeRunFile() {
    wrapper.removeRunFile();
  }

  /** This JVM's descendants, and every process carrying this wrapper's pid in its environment. */
  private static Set<ProcessHandle> everythingStarted() {
    Set<ProcessHandle> all = new LinkedHashSet<>(ProcessTree.descendants(ProcessHandle.current()));
    all.addAll(
        ProcessTree.withEnvironment(
            OrphanReaper.WRAPPER_PID_ENV, Long.toString(ProcessHandle.current().pid())));
    return all;
  }

  private AgentDisconnect disconnect(Trigger t) {
    return new AgentDisconnect(
        link.agentId(), t.reason(), System.currentTimeMillis(), t.exitCode(), true);
  }
}
