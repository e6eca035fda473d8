package ai.onsembl.wrapper.command;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * How the {@link CommandRunner} runs commands. Immutable; change it with the {@code with…} copies.
 *
 * @param mode {@link Mode#EXEC}: one process per command from {@code execTemplate}; {@link
 *     Mode#SESSION}: each command is a line on the long-lived child's stdin
 * @param execTemplate argv with {@value ExecTemplates#PROMPT} (required in exec mode, ignored in
 *     session mode)
 * @param concurrency how many commands run at once in exec mode (session mode always runs one at a
 *     time)
 * @param cancelGrace SIGTERM → SIGKILL grace when a command is cancelled or hits its time limit
 * @param workingDirectory where exec-mode commands run; null for the wrapper's own directory
 * @param environment variables added to (or replacing) the wrapper's environment for exec-mode
 *     commands; the wrapper's {@code ONSEMBL_TOKEN} is never passed on unless set here
 * @param sessionCompletion when a session-mode command is over
 * @param maxPromptBytes the largest prompt (UTF-8 bytes) accepted; bigger ones complete FAILED at
 *     once. In exec mode the prompt is one argv element and Linux refuses an element over 128 KiB
 *     ({@code MAX_ARG_STRLEN}), so the default is {@value #DEFAULT_MAX_PROMPT_BYTES}
 */
public record CommandSettings(
    Mode mode,
    List<String> execTemplate,
    int concurrency,
    Duration cancelGrace,
    Path workingDirectory,
    Map<String, String> environment,
    SessionCompletion sessionCompletion,
    int maxPromptBytes) {

  /** How commands reach the agent. */
  public enum Mode {
    /** One long-lived agent process; each command is a line on its stdin. */
    SESSION,
    /** One process per command from the exec template. */
    EXEC;

    /** Reads {@code session|exec}, case-insensitively. */
    public static Mode parse(String text) {
      String t = text == null ? "" : text.trim().toUpperCase(Locale.ROOT);
      for (Mode m : values()) {
        if (m.name().equals(t)) {
          return m;
        }
      }
      throw new IllegalArgumentException("expected a mode session|exec but got '" + text + "'");
    }
  }

  public static final int DEFAULT_CONCURRENCY = 1;
  public static final Duration DEFAULT_CANCEL_GRACE = Duration.ofSeconds(3);

  /**
   * Below Linux's 131,072-byte limit on one argv element, with room for the rest of the template.
   */
  public static final int DEFAULT_MAX_PROMPT_BYTES = 100_000;

  public CommandSettings {
    Objects.requireNonNull(mode, "mode");
    execTemplate = execTemplate == null ? List.of() : List.copyOf(execTemplate);
    if (mode == Mode.EXEC) {
      ExecTemplates.validate(execTemplate);
    }
    if (concurrency < 1) {
      throw new IllegalArgumentException("concurrency: expected 1 or more but got " + concurrency);
    }
    Objects.requireNonNull(cancelGrace, "cancelGrace");
    if (cancelGrace.isNegative()) {
      throw new IllegalArgumentException("cancelGrace: expected 0 or more but got " + cancelGrace);
    }
    environment = environment == null ? Map.of() : Map.copyOf(environment);
    sessionCompletion =
        sessionCompletion == null ? SessionCompletion.defaults() : sessionCompletion;
    if (maxPromptBytes < 1) {
      throw new IllegalArgumentException(
          "maxPromptBytes: expected 1 or more but got " + maxPromptBytes);
    }
  }

  /** Exec mode with {@code template} and every other setting at its default. */
  public static CommandSettings exec(List<String> template) {
    return new CommandSettings(
        Mode.EXEC,
        template,
        DEFAULT_CONCURRENCY,
        DEFAULT_CANCEL_GRACE,
        null,
        Map.of(),
        SessionCompletion.defaults(),
        DEFAULT_MAX_PROMPT_BYTES);
  }

  /** Session mode ending commands by {@code completion}, every other setting at its default. */
  public static CommandSettings session(SessionCompletion completion) {
    return new CommandSettings(
        Mode.SESSION,
        List.of(),
        DEFAULT_CONCURRENCY,
        DEFAULT_CANCEL_GRACE,
        null,
        Map.of(),
        completion,
        DEFAULT_MAX_PROMPT_BYTES);
  }

  /**
   * The defaults of agent {@code claude|gemini|codex|mock} in {@code mode}: exec with {@link
   * ExecTemplates#forAgent}, session ending on {@link SessionCompletion#mockAgent()} for the mock
   * and on {@link SessionCompletion#defaults()} otherwise. For the mock in exec mode replace the
   * template with {@link ExecTemplates#mock(Path)} when its path is known.
   */
  public static CommandSettings forAgent(String agent, Mode mode) {
    boolean mock = "mock".equalsIgnoreCase(agent == null ? "" : agent.trim());
    if (mode == Mode.SESSION) {
      return session(mock ? SessionCompletion.mockAgent() : SessionCompletion.defaults());
    }
    return exec(ExecTemplates.forAgent(agent)
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "expected an agent claude|gemini|codex|mock for a default exec template but got '"
                            + agent
                            + "'; give an exec template")))
        .withSessionCompletion(mock ? SessionCompletion.mockAgent() : SessionCompletion.defaults());
  }

  public CommandSettings withMode(Mode value) {
    return new CommandSettings(
        value,
        execTemplate,
        concurrency,
        cancelGrace,
        workingDirectory,
        environment,
        sessionCompletion,
        maxPromptBytes);
  }

  public CommandSettings withExecTemplate(List<String> value) {
    return new CommandSettings(
        mode,
        value,
        concurrency,
        cancelGrace,
        workingDirectory,
        environment,
        sessionCompletion,
        maxPromptBytes);
  }

  public CommandSettings withConcurrency(int value) {
    return new CommandSettings(
        mode,
        execTemplate,
        value,
        cancelGrace,
        workingDirectory,
        environment,
        sessionCompletion,
        maxPromptBytes);
  }

  public CommandSettings withCancelGrace(Duration value) {
    return new CommandSettings(
        mode,
        execTemplate,
        concurrency,
        value,
        workingDirectory,
        environment,
        sessionCompletion,
        maxPromptBytes);
  }

  public CommandSettings withWorkingDirectory(Path value) {
    return new CommandSettings(
        mode,
        execTemplate,
        concurrency,
        cancelGrace,
        value,
        environment,
        sessionCompletion,
        maxPromptBytes);
  }

  public CommandSettings withEnvironment(Map<String, String> value) {
    return new CommandSettings(
        mode,
        execTemplate,
        concurrency,
        cancelGrace,
        workingDirectory,
        value,
        sessionCompletion,
        maxPromptBytes);
  }

  public CommandSettings withSessionCompletion(SessionCompletion value) {
    return new CommandSettings(
        mode,
        execTemplate,
        concurrency,
        cancelGrace,
        workingDirectory,
        environment,
        value,
        maxPromptBytes);
  }

  public CommandSettings withMaxPromptBytes(int value) {
    return new CommandSettings(
        mode,
        execTemplate,
        concurrency,
        cancelGrace,
        workingDirectory,
        environment,
        sessionCompletion,
        value);
  }
}
