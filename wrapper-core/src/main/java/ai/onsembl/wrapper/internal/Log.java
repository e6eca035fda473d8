package ai.onsembl.wrapper.internal;

import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One human-readable line per event, each carrying the agent id ({@code [agent-id] message}). The
 * token is never passed here: callers log endpoints without their query.
 */
public final class Log {
  private final Logger logger;
  private final Supplier<String> agentId;

  public Log(Class<?> owner, Supplier<String> agentId) {
    this.logger = LoggerFactory.getLogger(owner);
    this.agentId = agentId;
  }

  private String prefix(String message) {
    String id = agentId.get();
    return "[" + (id == null ? "-" : id) + "] " + message;
  }

  public void info(String message) {
    if (logger.isInfoEnabled()) {
      logger.info(prefix(message));
    }
  }

  public void warn(String message) {
    if (logger.isWarnEnabled()) {
      logger.warn(prefix(message));
    }
  }

  public void error(String message, Throwable t) {
    if (logger.isErrorEnabled()) {
      if (t == null) {
        logger.error(prefix(message));
      } else if (logger.isDebugEnabled()) {
        logger.error(prefix(message), t);
      } else {
        logger.error(prefix(message + ": " + t));
      }
    }
  }

  public void debug(String message) {
    if (logger.isDebugEnabled()) {
      logger.debug(prefix(message));
    }
  }

  public boolean isDebugEnabled() {
    return logger.isDebugEnabled();
  }
}
