package ai.onsembl.protocol;

/** The kind of a TRACE_EVENT. */
public enum TraceType {
  LLM_PROMPT,
  TOOL_CALL,
  RESPONSE,
  UNKNOWN
}
