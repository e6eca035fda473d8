package ai.onsembl.wrapper.run;

import ai.onsembl.wrapper.process.ProcessTree;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * After a wrapper was killed with SIGKILL its agent, its commands and their children may run on.
 * The next start with the same agent id reads the stale run file and kills them: the recorded child
 * (only with its recorded start time) and its process group (when its leader is gone or is that
 * child), plus every process whose environment carries {@value #WRAPPER_PID_ENV}={@code <the dead
 * wrapper's pid>} and that started after the wrapper did — the wrapper puts that variable into the
 * environment of everything it starts, so re-parented grandchildren and exec-mode commands in
 * sessions of their own are found too.
 */
public final class OrphanReaper {
  /** Set in the environment of every process a wrapper starts: the wrapper's pid. */
  public static final String WRAPPER_PID_ENV = "ONSEMBL_WRAPPER_PID";

  private OrphanReaper() {}

  /**
   * Reaps what {@code stale} recorded; returns a sentence saying what was done, or empty when
   * nothing was left. Never touches a record whose wrapper is still alive.
   */
  public static Optional<String> reap(RunRecord stale) {
    if (stale == null || stale.wrapperAlive()) {
      return Optional.empty();
    }
    Set<ProcessHandle> orphans = new LinkedHashSet<>();
    boolean childAlive =
        stale.childPid() > 0
            && RunRecord.sameProcessAlive(stale.childPid(), stale.childStartedAtMillis());
    if (childAlive) {
      ProcessHandle.of(stale.childPid())
          .ifPresent(
              h -> {
                orphans.add(h);
                orphans.addAll(ProcessTree.descendants(h));
              });
    }
    boolean leaderSlotFree =
        ProcessHandle.of(stale.childPgid()).map(h -> !ProcessTree.isRunning(h)).orElse(true);
    boolean groupAlive =
        stale.childPgid() > 1
            && (childAlive || leaderSlotFree)
            && ProcessTree.signalGroup(stale.childPgid(), "0");
    for (ProcessHandle p :
        ProcessTree.withEnvironment(WRAPPER_PID_ENV, Long.toString(stale.pid()))) {
      long started = RunRecord.startMillisOf(p.pid());
      if (stale.pidStartedAtMillis() <= 0
          || started <= 0
          || started >= stale.pidStartedAtMillis() - 2000) {
        orphans.add(p);
      }
    }
    if (orphans.isEmpty() && !groupAlive) {
      return Optional.empty();
    }
    if (groupAlive) {
      ProcessTree.signalGroup(stale.childPgid(), "KILL");
    }
    int killed = ProcessTree.killAll(orphans, Duration.ofSeconds(1));
    return Optional.of(
        "reaped the orphaned agent of a previous wrapper (pid "
            + stale.pid()
            + ", agent pid "
            + stale.childPid()
            + (stale.childPgid() > 0 ? ", process group " + stale.childPgid() : "")
            + "; "
            + Math.max(killed, groupAlive ? 1 : 0)
            + " process(es) left running)");
  }
}
