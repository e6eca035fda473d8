package ai.onsembl.wrapper.run;

import ai.onsembl.wrapper.process.ProcessTree;
import java.util.Optional;

/**
 * After a wrapper was killed with SIGKILL its agent may run on. The next start with the same agent id
 * reads the stale run file and kills the recorded child's process group (and the child itself), but only
 * when they are provably the same processes: the child pid with the recorded start time, or a group whose
 * leader is gone (a group id cannot be reused while any member lives).
 */
public final class OrphanReaper {
  private OrphanReaper() {}

  /**
   * Reaps what {@code stale} recorded; returns a sentence saying what was done, or empty when nothing
   * was left. Never touches a record whose wrapper is still alive.
   */
  public static Optional<String> reap(RunRecord stale) {
    if (stale == null || stale.wrapperAlive() || stale.childPid() <= 0) {
      return Optional.empty();
    }
    boolean childAlive = RunRecord.sameProcessAlive(stale.childPid(), stale.childStartedAtMillis());
    boolean leaderSlotFree = ProcessHandle.of(stale.childPgid()).map(h -> !h.isAlive()).orElse(true);
    boolean groupAlive = stale.childPgid() > 1 && (childAlive || leaderSlotFree)
        && ProcessTree.signalGroup(stale.childPgid(), "0");
    if (!childAlive && !groupAlive) {
      return Optional.empty();
    }
    if (groupAlive) {
      ProcessTree.signalGroup(stale.childPgid(), "KILL");
    }
    if (childAlive) {
      ProcessHandle.of(stale.childPid()).ifPresent(h -> {
        ProcessTree.descendants(h).forEach(ProcessHandle::destroyForcibly);
        h.destroyForcibly();
      });
    }
    return Optional.of("reaped the orphaned agent of a previous wrapper (pid " + stale.pid() + ", agent pid "
        + stale.childPid() + (stale.childPgid() > 0 ? ", process group " + stale.childPgid() : "") + ")");
  }
}
