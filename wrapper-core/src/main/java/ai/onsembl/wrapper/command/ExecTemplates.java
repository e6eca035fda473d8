package ai.onsembl.wrapper.command;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Exec-mode command templates: one process per command, the prompt substituted for {@value
 * #PROMPT}.
 *
 * <p>The prompt always becomes (part of) one argv element and never passes through a shell, so a
 * prompt such as {@code $(touch x); rm -rf} reaches the agent literally. An element that is exactly
 * {@value #PROMPT} is replaced by the prompt; an element that contains it ({@code
 * --prompt={prompt}}) has it replaced inside that one element.
 */
public final class ExecTemplates {
  /** The placeholder every exec template must contain. */
  public static final String PROMPT = "{prompt}";

  /** Ends the options: what follows is an argument even when it starts with {@code -}. */
  public static final String END_OF_OPTIONS = "--";

  /**
   * {@code claude -p -- {prompt}} ({@code -p} is a flag; the prompt is its positional argument).
   */
  public static final List<String> CLAUDE = List.of("claude", "-p", END_OF_OPTIONS, PROMPT);

  /**
   * {@code gemini -p {prompt}}: {@code -p} takes the prompt as its value and the CLI has no {@code
   * --} for it, so a prompt that starts with {@code -} is refused (see {@link #optionLikePrompt}).
   */
  public static final List<String> GEMINI = List.of("gemini", "-p", PROMPT);

  /** {@code codex exec -- {prompt}}. */
  public static final List<String> CODEX = List.of("codex", "exec", END_OF_OPTIONS, PROMPT);

  /** The mock agent's file name in the distribution's {@code bin/}. */
  public static final String MOCK_AGENT_NAME = "onsembl-mock-agent";

  /**
   * {@code onsembl-mock-agent -p -- {prompt}}, found on PATH; prefer {@link #mock(Path)} with the
   * real path.
   */
  public static final List<String> MOCK = List.of(MOCK_AGENT_NAME, "-p", END_OF_OPTIONS, PROMPT);

  private ExecTemplates() {}

  /**
   * {@code <script> -p -- {prompt}} for the mock agent at {@code script} (e.g. {@code
   * <home>/bin/onsembl-mock-agent}).
   */
  public static List<String> mock(Path script) {
    return List.of(script.toString(), "-p", END_OF_OPTIONS, PROMPT);
  }

  /**
   * The default template of {@code claude|gemini|codex|mock} (any case); empty for anything else.
   */
  public static Optional<List<String>> forAgent(String agent) {
    String a = agent == null ? "" : agent.trim().toLowerCase(Locale.ROOT);
    switch (a) {
      case "claude":
        return Optional.of(CLAUDE);
      case "gemini":
        return Optional.of(GEMINI);
      case "codex":
        return Optional.of(CODEX);
      case "mock":
        return Optional.of(MOCK);
      default:
        return Optional.empty();
    }
  }

  /**
   * Splits a {@code --exec-template} text into argv elements the way a user expects from a shell
   * line, but without a shell: whitespace separates elements; {@code '…'} quotes literally; {@code
   * "…"} quotes with {@code \"} and {@code \\} escapes; a backslash outside quotes escapes the next
   * character. Nothing is expanded. Throws {@link IllegalArgumentException} on an unclosed quote or
   * a template without {@value #PROMPT}.
   */
  public static List<String> parse(String template) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean inWord = false;
    char quote = 0;
    for (int i = 0; i < template.length(); i++) {
      char c = template.charAt(i);
      if (quote == '\'') {
        if (c == '\'') {
          quote = 0;
        } else {
          cur.append(c);
        }
      } else if (quote == '"') {
        if (c == '"') {
          quote = 0;
        } else if (c == '\\'
            && i + 1 < template.length()
            && (template.charAt(i + 1) == '"' || template.charAt(i + 1) == '\\')) {
          cur.append(template.charAt(++i));
        } else {
          cur.append(c);
        }
      } else if (Character.isWhitespace(c)) {
        if (inWord) {
          out.add(cur.toString());
          cur.setLength(0);
          inWord = false;
        }
      } else {
        inWord = true;
        if (c == '\'' || c == '"') {
          quote = c;
        } else if (c == '\\' && i + 1 < template.length()) {
          cur.append(template.charAt(++i));
        } else {
          cur.append(c);
        }
      }
    }
    if (quote != 0) {
      throw new IllegalArgumentException(
          "exec template: expected a closing " + quote + " but the text ended: " + template);
    }
    if (inWord) {
      out.add(cur.toString());
    }
    validate(out);
    return List.copyOf(out);
  }

  /**
   * Throws {@link IllegalArgumentException} unless {@code template} is non-empty and contains
   * {@value #PROMPT}.
   */
  public static void validate(List<String> template) {
    if (template == null || template.isEmpty()) {
      throw new IllegalArgumentException(
          "exec template: expected a command with " + PROMPT + " but got nothing");
    }
    if (template.get(0).isEmpty() || template.get(0).contains(PROMPT)) {
      throw new IllegalArgumentException(
          "exec template: expected a program name first but got '" + template.get(0) + "'");
    }
    if (template.stream().noneMatch(e -> e.contains(PROMPT))) {
      throw new IllegalArgumentException(
          "exec template: expected an argument with " + PROMPT + " but got " + template);
    }
  }

  /**
   * Why {@code prompt} must not run with {@code template}, or null when it may: a prompt starting
   * with {@code -} that would be a whole argv element of its own with no {@code --} before it would
   * be read by the agent as an option (say {@code --dangerously-skip-permissions}).
   */
  public static String optionLikePrompt(List<String> template, String prompt) {
    if (prompt == null || !prompt.startsWith("-")) {
      return null;
    }
    boolean endOfOptions = false;
    for (String element : template) {
      if (element.equals(END_OF_OPTIONS)) {
        endOfOptions = true;
      } else if (element.equals(PROMPT) && !endOfOptions) {
        return "prompt refused: it starts with '-' and the exec template "
            + String.join(" ", template)
            + " has no '--' before "
            + PROMPT
            + ", so the agent would read it as an option;"
            + " expected a prompt that does not start with '-' (or a template with '--' before "
            + PROMPT
            + ")";
      }
    }
    return null;
  }

  /**
   * The argv for one command: {@code template} with the prompt substituted, one element per
   * template element.
   */
  public static List<String> expand(List<String> template, String prompt) {
    List<String> argv = new ArrayList<>(template.size());
    for (String element : template) {
      argv.add(element.equals(PROMPT) ? prompt : element.replace(PROMPT, prompt));
    }
    return argv;
  }
}
