package ai.onsembl.protocol;

/**
 * Health of an agent's process tree, sent with every AGENT_HEARTBEAT.
 *
 * @param cpuUsage percent of one core used by the child's process tree since the last heartbeat
 * @param memoryUsage resident memory of the child's process tree in MB
 * @param uptime milliseconds since the wrapper started the child
 * @param commandsProcessed commands completed since start
 * @param averageResponseTime mean command execution time in milliseconds
 */
public record HealthMetrics(
    Double cpuUsage,
    Double memoryUsage,
    Long uptime,
    Long commandsProcessed,
    Double averageResponseTime) {}
