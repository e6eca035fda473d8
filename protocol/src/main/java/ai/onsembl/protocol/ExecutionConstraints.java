package ai.onsembl.protocol;

/** Limits on one command: wall-clock time, token budget, retries. */
public record ExecutionConstraints(Long timeLimitMs, Long tokenBudget, Integer maxRetries) {}
