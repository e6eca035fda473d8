package ai.onsembl.cli;

import java.util.Locale;
import java.util.Set;

/**
 * Configures logging before the first logger exists: one line per event on stderr, {@code
 * HH:mm:ss.SSS LEVEL [agent-id] message}, at {@code --log-level}. Java-WebSocket's own logger stays
 * at warn whatever the level, so its debug output (handshake URIs carry the token in the query)
 * never shows. The lines are slf4j-simple's, written by {@link LineLogging}, which slf4j is told to
 * use by name (no service lookup over the class path); the slf4j-simple properties are set too, for
 * any logging that still reaches slf4j-simple.
 */
final class CliLogging {
  static final Set<String> LEVELS = Set.of("error", "warn", "info", "debug", "trace");

  private CliLogging() {}

  static String normalize(String level) {
    String l = level == null ? "info" : level.trim().toLowerCase(Locale.ROOT);
    if (l.equals("warning")) {
      l = "warn";
    }
    if (!LEVELS.contains(l)) {
      throw new IllegalArgumentException(
          "expected a log level error|warn|info|debug|trace but got '" + level + "'");
    }
    return l;
  }

  static void configure(String level) {
    configure(level, null);
  }

  /**
   * As {@link #configure(String)}, to {@code file} instead of stderr when it is not null
   * (interactive mode).
   */
  static void configure(String level, java.nio.file.Path file) {
    String l = normalize(level);
    System.setProperty(
        "org.slf4j.simpleLogger.logFile", file == null ? "System.err" : file.toString());
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", l);
    System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
    System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", "HH:mm:ss.SSS");
    System.setProperty("org.slf4j.simpleLogger.showThreadName", "false");
    System.setProperty("org.slf4j.simpleLogger.showLogName", "false");
    System.setProperty("org.slf4j.simpleLogger.showShortLogName", "false");
    System.setProperty("org.slf4j.simpleLogger.log.org.java_websocket", "warn");
    LineLogging.configure(l, file);
    System.setProperty("slf4j.provider", LineLogging.class.getName());
    // slf4j reports a provider named by property at its INFO level on stderr; warnings still show.
    System.setProperty("slf4j.internal.verbosity", "WARN");
  }
}
