package ai.onsembl.protocol;

/** Line counts of a command's output, sent with COMMAND_COMPLETE. */
public record OutputStats(Long totalLines, Long stdoutLines, Long stderrLines) {}
