package ai.onsembl.wrapper.run;

/**
 * What a running wrapper writes to {@code <stateDir>/run/<agentId>.json} (never the token).
 *
 * @param agentId the configured (stable) agent id; the file's name
 * @param backendAgentId the id the backend assigned in its ACK, when it differs
 * @param pid the wrapper's process id
 * @param pidStartedAtMillis the wrapper process's start, to tell a recycled pid from the wrapper
 *     (epoch ms; 0 when unknown)
 * @param childPid the agent's pid; -1 before it started
 * @param childPgid the agent's process group when it leads its own (setsid), else -1
 * @param childStartedAtMillis the agent process's start as the OS reports it (epoch ms; 0 when
 *     unknown)
 */
public record RunRecord(
    String agentId,
    String backendAgentId,
    String name,
    long pid,
    long pidStartedAtMillis,
    String backendUrl,
    String state,
    long startedAtMillis,
    long childPid,
    long childPgid,
    long childStartedAtMillis,
    long updatedAtMillis) {

  public RunRecord withState(String v) {
    return new RunRecord(
        agentId,
        backendAgentId,
        name,
        pid,
        pidStartedAtMillis,
        backendUrl,
        v,
        startedAtMillis,
        childPid,
        childPgid,
        childStartedAtMillis,
        System.currentTimeMillis());
  }

  public RunRecord withBackendAgentId(String v) {
    return new RunRecord(
        agentId,
        v,
        name,
        pid,
        pidStartedAtMillis,
        backendUrl,
        state,
        startedAtMillis,
        childPid,
        childPgid,
        childStartedAtMillis,
        System.currentTimeMillis());
  }

  public RunRecord withChild(long childPid, long childPgid, long childStartedAtMillis) {
    return new RunRecord(
        agentId,
        backendAgentId,
        name,
        pid,
        pidStartedAtMillis,
        backendUrl,
        state,
        startedAtMillis,
        childPid,
        childPgid,
        childStartedAtMillis,
        System.currentTimeMillis());
  }

  /**
   * True when the wrapper process that wrote this record is still running (same pid, same start).
   */
  public boolean wrapperAlive() {
    return sameProcessAlive(pid, pidStartedAtMillis);
  }

  /**
   * True when {@code pid} runs and started at {@code startedAtMillis} (0: unknown, pid alone
   * decides).
   */
  public static boolean sameProcessAlive(long pid, long startedAtMillis) {
    if (pid <= 0) {
      return false;
    }
    return ProcessHandle.of(pid)
        .filter(ProcessHandle::isAlive)
        .map(
            h ->
                startedAtMillis <= 0
                    || h.info()
                        .startInstant()
                        .map(s -> Math.abs(s.toEpochMilli() - startedAtMillis) < 2000)
                        .orElse(true))
        .orElse(false);
  }

  /** The OS start time of {@code pid} in epoch ms, or 0 when unknown. */
  public static long startMillisOf(long pid) {
    return ProcessHandle.of(pid)
        .flatMap(h -> h.info().startInstant())
        .map(java.time.Instant::toEpochMilli)
        .orElse(0L);
  }
}
