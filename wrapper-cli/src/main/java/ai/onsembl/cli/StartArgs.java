package ai.onsembl.cli;

import java.io.PrintWriter;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code onsembl-agent start}'s ordinary command lines parsed by hand, so the launch loads no
 * picocli class (its annotation reflection costs ~100 ms of a ~350 ms launch and a JDK 17 archive
 * cannot hold the proxies it spins). {@link #parse} fills the same {@link StartOptions} and {@link
 * StateDirOption} picocli fills, or answers null whenever it is not sure: help, version, an unknown
 * option, a positional argument before {@code --}, a repeated option, a missing, empty or
 * dash-leading value, a value that does not convert, an {@code @file}, any {@code picocli.*} system
 * property. picocli then parses the same arguments, so help, errors, suggestions and exit codes are
 * exactly picocli's; a null costs only time.
 */
final class StartArgs {
  private static final Set<String> BOOLEAN_FLAGS = Set.of("--interactive", "--headless");
  private static final String EXIT_ZERO = "--exit-zero-on-signal";

  final StartOptions options;
  final StateDirOption state;

  private StartArgs(StartOptions options, StateDirOption state) {
    this.options = options;
    this.state = state;
  }

  /** {@code args} (the whole command line, {@code start} first) parsed, or null: ask picocli. */
  static StartArgs parse(String[] args) {
    if (args.length == 0 || !args[0].equals("start") || picocliProperties()) {
      return null;
    }
    StartOptions o = new StartOptions();
    StateDirOption s = new StateDirOption();
    Set<String> seen = new HashSet<>();
    int i = 1;
    while (i < args.length) {
      String arg = args[i++];
      if (arg.startsWith("@")) {
        return null; // an argument file: picocli expands it
      }
      if (arg.equals("--")) {
        List<String> command = new ArrayList<>(Arrays.asList(args).subList(i, args.length));
        for (String c : command) {
          if (c.startsWith("@")) {
            return null;
          }
        }
        if (!command.isEmpty()) {
          o.command = command;
        }
        return new StartArgs(o, s);
      }
      if (!arg.startsWith("--")) {
        return null; // -h, -V, a positional argument, ...
      }
      int eq = arg.indexOf('=');
      String name = eq < 0 ? arg : arg.substring(0, eq);
      String attached = eq < 0 ? null : arg.substring(eq + 1);
      if (!seen.add(name)) {
        return null;
      }
      if (BOOLEAN_FLAGS.contains(name)) {
        if (attached != null) {
          return null;
        }
        if (name.equals("--interactive")) {
          o.interactive = true;
        } else {
          o.headless = true;
        }
        continue;
      }
      if (name.equals(EXIT_ZERO)) {
        String v = attached;
        if (v == null && i < args.length && (args[i].equals("true") || args[i].equals("false"))) {
          v = args[i++];
        }
        if (v == null) {
          // picocli's fallback value, when nothing follows or the next argument is -- or an option
          if (i < args.length && !args[i].startsWith("--")) {
            return null;
          }
          v = "true";
        }
        if (!v.equals("true") && !v.equals("false")) {
          return null;
        }
        o.exitZeroOnSignal = Boolean.valueOf(v);
        continue;
      }
      String value = attached;
      if (value == null) {
        if (i >= args.length || args[i].startsWith("@")) {
          return null;
        }
        value = args[i++];
      }
      if (value.isEmpty() || value.startsWith("-") || !set(o, s, name, value)) {
        return null;
      }
    }
    return new StartArgs(o, s);
  }

  /** Sets option {@code name} to {@code value}; false when there is no such option or no value. */
  private static boolean set(StartOptions o, StateDirOption s, String name, String value) {
    switch (name) {
      case "--server":
        o.server = value;
        return true;
      case "--agent":
        o.agent = value;
        return true;
      case "--name":
        o.name = value;
        return true;
      case "--agent-id":
        o.agentId = value;
        return true;
      case "--log-level":
        o.logLevel = value;
        return true;
      case "--mode":
        o.mode = value;
        return true;
      case "--exec-template":
        o.execTemplate = value;
        return true;
      case "--token-file":
        return (o.tokenFile = path(value)) != null;
      case "--trust-store":
        return (o.trustStore = path(value)) != null;
      case "--working-dir":
        return (o.workingDir = path(value)) != null;
      case "--config":
        return (o.config = path(value)) != null;
      case "--state-dir":
        return (s.stateDir = path(value)) != null;
      case "--heartbeat-interval":
        return (o.heartbeatInterval = duration(value)) != null;
      case "--child-grace":
        return (o.childGrace = duration(value)) != null;
      case "--flush-timeout":
        return (o.flushTimeout = duration(value)) != null;
      case "--shutdown-timeout":
        return (o.shutdownTimeout = duration(value)) != null;
      case "--give-up-after":
        return (o.giveUpAfter = duration(value)) != null;
      case "--concurrency":
        return (o.concurrency = integer(value)) != null;
      default:
        return false;
    }
  }

  private static Path path(String value) {
    try {
      return Path.of(value);
    } catch (InvalidPathException e) {
      return null;
    }
  }

  private static Duration duration(String value) {
    return Durations.parseOrNull(value);
  }

  /**
   * Plain decimal digits only, no leading zero, in int range (picocli may read others otherwise).
   */
  private static Integer integer(String value) {
    if (value.length() > 9) {
      return null;
    }
    for (int i = 0; i < value.length(); i++) {
      if (value.charAt(i) < '0' || value.charAt(i) > '9') {
        return null;
      }
    }
    if (value.length() > 1 && value.charAt(0) == '0') {
      return null;
    }
    return Integer.valueOf(value);
  }

  private static boolean picocliProperties() {
    for (String k : System.getProperties().stringPropertyNames()) {
      if (k.startsWith("picocli.")) {
        return true;
      }
    }
    return false;
  }

  /**
   * Runs {@code start} with these options as picocli would: the command's exit code, or for an
   * exception the code and one line on stderr that {@link ExitCodes} gives.
   */
  int run() {
    PrintWriter err = new PrintWriter(System.err, true);
    StartCommand command = new StartCommand();
    command.options = options;
    command.state = state;
    command.err = err;
    try {
      return command.call();
    } catch (Exception e) {
      return Failures.report(e, err, Failures.exitCode(e));
    }
  }
}
