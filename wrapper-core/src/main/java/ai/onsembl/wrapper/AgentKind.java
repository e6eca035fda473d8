package ai.onsembl.wrapper;

import ai.onsembl.protocol.AgentType;
import java.util.List;
import java.util.Locale;

/**
 * Which agent the wrapper runs: picks the default command and the {@link AgentType} announced in
 * AGENT_CONNECT. {@link #CUSTOM} wraps any command given after {@code --}; {@link #MOCK} runs the
 * mock agent shipped in the distribution ({@code <onsembl.home>/bin/onsembl-mock-agent}) and
 * announces CUSTOM.
 */
public enum AgentKind {
  CLAUDE(AgentType.CLAUDE, List.of("claude")),
  GEMINI(AgentType.GEMINI, List.of("gemini")),
  CODEX(AgentType.CODEX, List.of("codex")),
  MOCK(AgentType.CUSTOM, List.of()),
  CUSTOM(AgentType.CUSTOM, List.of());

  private final AgentType agentType;
  private final List<String> defaultCommand;

  AgentKind(AgentType agentType, List<String> defaultCommand) {
    this.agentType = agentType;
    this.defaultCommand = defaultCommand;
  }

  /** The type this kind announces on the wire. */
  public AgentType agentType() {
    return agentType;
  }

  /** The command run when none is given; empty for MOCK (resolved from onsembl.home) and CUSTOM. */
  public List<String> defaultCommand() {
    return defaultCommand;
  }

  /** Reads {@code claude|gemini|codex|mock|custom}, case-insensitively. */
  public static AgentKind parse(String text) {
    String t = text == null ? "" : text.trim().toUpperCase(Locale.ROOT);
    for (AgentKind k : values()) {
      if (k.name().equals(t)) {
        return k;
      }
    }
    throw AgentExitException.invalidInput(
        "expected an agent kind claude|gemini|codex|mock|custom but got '" + text + "'");
  }

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }
}
