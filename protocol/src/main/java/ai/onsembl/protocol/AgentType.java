package ai.onsembl.protocol;

/** The kind of AI agent a wrapper runs. */
public enum AgentType {
  CLAUDE,
  GEMINI,
  CODEX,
  CUSTOM,
  UNKNOWN
}
