package ai.onsembl.wrapper.command;

import ai.onsembl.protocol.CommandCancel;
import ai.onsembl.protocol.CommandRequest;
import ai.onsembl.protocol.ExecutionConstraints;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Test helpers: requests as the backend sends them, and the mock agent's path. */
final class Requests {
  static final Path MOCK_AGENT =
      Path.of("../wrapper-cli/src/dist/bin/onsembl-mock-agent").toAbsolutePath().normalize();

  private Requests() {}

  static Path mockAgent() {
    if (!Files.isExecutable(MOCK_AGENT)) {
      throw new IllegalStateException(
          "expected the mock agent at " + MOCK_AGENT + " (executable) but it is not there");
    }
    return MOCK_AGENT;
  }

  static CommandRequest request(String commandId, String content) {
    return new CommandRequest(
        null, commandId, content, content, null, null, null, null, null, null);
  }

  /** As the TypeScript wrapper's peer sends it: the text only in {@code command}. */
  static CommandRequest commandOnly(String commandId, String command) {
    return new CommandRequest(null, commandId, null, command, null, null, null, null, null, null);
  }

  static CommandRequest withTimeLimit(String commandId, String content, long timeLimitMs) {
    return new CommandRequest(
        null,
        commandId,
        content,
        null,
        null,
        null,
        null,
        new ExecutionConstraints(timeLimitMs, null, null),
        null,
        null);
  }

  static CommandCancel cancel(String commandId, String reason) {
    return new CommandCancel(null, commandId, reason, null);
  }

  static CommandSettings mockExec() {
    return CommandSettings.exec(ExecTemplates.mock(mockAgent()));
  }

  /** {@code sh -c SCRIPT}, the prompt being the script: for tests that need a shell on purpose. */
  static CommandSettings shellExec() {
    return CommandSettings.exec(List.of("sh", "-c", ExecTemplates.PROMPT));
  }
}
