package ai.onsembl.wrapper.internal.link;

import ai.onsembl.protocol.AgentControl;
import ai.onsembl.wrapper.AgentExitException;

/**
 * What the wrapper hears from the backend link. Called on the link's own thread; return quickly.
 */
public interface LinkListener {
  /** The backend acknowledged AGENT_CONNECT; {@code agentId} is the adopted id. */
  void online(String agentId, boolean firstTime);

  /** The connection dropped; the link is reconnecting. */
  void reconnecting(String why);

  /**
   * The link gave up for good: authentication refused (exit 3) or unreachable past give-up-after
   * (exit 4).
   */
  void fatal(AgentExitException why);

  /** AGENT_CONTROL STOP or RESTART (PAUSE and RESUME go to the command handler). */
  void control(AgentControl control);

  /**
   * An {@link Error} (an OutOfMemoryError, say) on the link's thread or a socket's: the link may be
   * dead, so the wrapper should stop (exit 1). Logged already.
   */
  default void internalError(Throwable e) {}
}
