package ai.onsembl.wrapper.command.internal;

import ai.onsembl.protocol.StreamType;
import ai.onsembl.wrapper.Outbound;
import ai.onsembl.wrapper.command.OutputStreamer;
import ai.onsembl.wrapper.command.SessionChild;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Session mode: the one listener of the long-lived child's output. Output goes to the current
 * command while there is one, else to a streamer whose {@code commandId} is the agent id (one per
 * id the agent has had, so its sequence never repeats). The lock orders output against a command's
 * begin and end: no output is lost between them.
 */
public final class SessionRouter implements SessionChild.OutputListener {
  private final Supplier<String> agentId;
  private final Outbound outbound;
  private final Map<String, OutputStreamer> ambient = new HashMap<>();
  private SessionExecution current;

  public SessionRouter(Supplier<String> agentId, Outbound outbound) {
    this.agentId = agentId;
    this.outbound = outbound;
  }

  @Override
  public synchronized void onOutput(StreamType stream, String text) {
    String rest = text;
    if (current != null) {
      rest = current.accept(stream, text);
    }
    if (rest != null && !rest.isEmpty()) {
      String id = agentId.get();
      ambient
          .computeIfAbsent(id, k -> new OutputStreamer(k, agentId, outbound))
          .append(stream, rest);
    }
  }

  synchronized void begin(SessionExecution execution) {
    current = execution;
  }

  synchronized void end(SessionExecution execution) {
    if (current == execution) {
      current = null;
    }
  }

  /** Not synchronized: a reader waiting for room must not hold up the begin or end of a command. */
  @Override
  public void awaitRoom() {
    outbound.awaitRoom();
  }

  /** Sends the buffered output of the current command and of the agent-id streams. */
  @Override
  public synchronized void flush() {
    if (current != null) {
      current.streamer.flush();
    }
    ambient.values().forEach(OutputStreamer::flush);
  }
}
