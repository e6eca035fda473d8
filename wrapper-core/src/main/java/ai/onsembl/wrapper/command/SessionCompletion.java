package ai.onsembl.wrapper.command;

import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How a {@code session}-mode command ends. A long-lived agent never says "done" by exiting, so the
 * runner decides: when a line of stdout matches {@code doneMarker} (the marker line is still sent
 * as output), or when the child has printed nothing for {@code quietPeriod} since the prompt was
 * written or since its last output; with both set, whichever comes first. A COMMAND_CANCEL, the
 * time limit, or the child exiting end it too. Without a quiet period, a command whose marker never
 * comes runs until its time limit or a cancel.
 *
 * <p>A marker with a named group {@code exit} ({@code (?<exit>\d+)}) also gives the exit code: 0
 * completes the command COMPLETED, anything else FAILED "exit code N".
 *
 * @param quietPeriod ends a command after this much silence; null when {@code doneMarker} decides
 *     alone
 * @param doneMarker a whole-line pattern (trailing {@code \r} ignored); null when silence decides
 */
public record SessionCompletion(Duration quietPeriod, Pattern doneMarker) {
  /** Three seconds of silence: for agents that print no marker (claude, gemini, codex). */
  public static final Duration DEFAULT_QUIET_PERIOD = Duration.ofSeconds(3);

  /**
   * The line the mock agent prints after each prompt in session mode: {@code [mock-agent] done
   * exit=N}.
   */
  public static final Pattern MOCK_AGENT_MARKER =
      Pattern.compile("\\[mock-agent\\] done exit=(?<exit>\\d+)");

  public SessionCompletion {
    if (quietPeriod == null && doneMarker == null) {
      throw new IllegalArgumentException(
          "session completion: expected a quiet period or a done marker but got neither");
    }
    if (quietPeriod != null && (quietPeriod.isNegative() || quietPeriod.isZero())) {
      throw new IllegalArgumentException(
          "session completion: expected a positive quiet period but got " + quietPeriod);
    }
  }

  /** Ends a command after {@code quietPeriod} without output. */
  public static SessionCompletion quietFor(Duration quietPeriod) {
    return new SessionCompletion(Objects.requireNonNull(quietPeriod, "quietPeriod"), null);
  }

  /** Ends a command at the first stdout line matching {@code regex} (whole line). */
  public static SessionCompletion marker(String regex) {
    return new SessionCompletion(null, Pattern.compile(regex));
  }

  /** The default: {@link #DEFAULT_QUIET_PERIOD} of silence. */
  public static SessionCompletion defaults() {
    return quietFor(DEFAULT_QUIET_PERIOD);
  }

  /** The mock agent's rule: its {@link #MOCK_AGENT_MARKER} line, with the exit code it carries. */
  public static SessionCompletion mockAgent() {
    return new SessionCompletion(null, MOCK_AGENT_MARKER);
  }
}
