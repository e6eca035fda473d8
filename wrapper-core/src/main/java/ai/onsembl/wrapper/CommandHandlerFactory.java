package ai.onsembl.wrapper;

import ai.onsembl.wrapper.command.CommandHandler;
import ai.onsembl.wrapper.command.SessionChild;
import java.util.function.Supplier;

/**
 * Makes the command handler once the link and the child exist. A handler that wants the child's
 * output (session mode) sets itself as the child's output listener; when none does, the wrapper
 * streams the child's output as TERMINAL_OUTPUT with {@code commandId} = the agent id.
 */
@FunctionalInterface
public interface CommandHandlerFactory {
  CommandHandler create(Outbound outbound, Supplier<String> agentId, SessionChild child);
}
