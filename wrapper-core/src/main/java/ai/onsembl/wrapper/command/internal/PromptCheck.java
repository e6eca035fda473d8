package ai.onsembl.wrapper.command.internal;

import java.nio.charset.StandardCharsets;

/** Why a prompt cannot run at all, decided before it is queued. */
public final class PromptCheck {
  /** Linux's MAX_ARG_STRLEN: the most one argv element may hold. */
  public static final int LINUX_MAX_ARG_BYTES = 131_072;

  private PromptCheck() {}

  /** The reason {@code text} is refused, or null when it may run. */
  public static String refusal(String text, int maxPromptBytes, boolean execMode) {
    if (text == null || text.isEmpty()) {
      return "COMMAND_REQUEST has neither content nor command: nothing to run";
    }
    // Every char is at least one UTF-8 byte: a long text is refused without encoding megabytes.
    boolean surelyTooLong = text.length() > maxPromptBytes;
    long bytes = surelyTooLong ? text.length() : text.getBytes(StandardCharsets.UTF_8).length;
    if (bytes <= maxPromptBytes) {
      return null;
    }
    return "prompt too large: "
        + (surelyTooLong ? "at least " : "")
        + bytes
        + " bytes, the limit is "
        + maxPromptBytes
        + " bytes"
        + (execMode
            ? " (exec mode passes the prompt as one argument; Linux allows at most "
                + LINUX_MAX_ARG_BYTES
                + " bytes per argument)"
            : "");
  }
}
