package ai.onsembl.wrapper.command;

import static org.awaitility.Awaitility.await;

import ai.onsembl.protocol.AgentError;
import ai.onsembl.protocol.CommandAck;
import ai.onsembl.protocol.CommandComplete;
import ai.onsembl.protocol.Payload;
import ai.onsembl.protocol.StreamType;
import ai.onsembl.protocol.TerminalOutput;
import ai.onsembl.wrapper.Outbound;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/** Test double of the backend link: keeps every frame, in send order. */
final class RecordingOutbound implements Outbound {
  private final List<Payload> frames = new CopyOnWriteArrayList<>();

  @Override
  public boolean send(Payload payload) {
    frames.add(payload);
    return true;
  }

  List<Payload> frames() {
    return List.copyOf(frames);
  }

  /** Every frame about {@code commandId} (ACKs, output, COMPLETE), in order. */
  List<Payload> framesFor(String commandId) {
    return frames.stream().filter(p -> commandId.equals(commandIdOf(p))).toList();
  }

  List<TerminalOutput> outputsFor(String commandId) {
    return frames.stream()
        .filter(p -> p instanceof TerminalOutput t && t.commandId().equals(commandId))
        .map(TerminalOutput.class::cast)
        .toList();
  }

  String textOf(String commandId, StreamType stream) {
    return outputsFor(commandId).stream()
        .filter(t -> t.streamType().is(stream))
        .map(TerminalOutput::content)
        .collect(Collectors.joining());
  }

  List<CommandAck> acksFor(String commandId) {
    return frames.stream()
        .filter(p -> p instanceof CommandAck a && a.commandId().equals(commandId))
        .map(CommandAck.class::cast)
        .toList();
  }

  List<AgentError> errors() {
    return frames.stream()
        .filter(p -> p instanceof AgentError)
        .map(AgentError.class::cast)
        .toList();
  }

  CommandComplete completeOf(String commandId) {
    return frames.stream()
        .filter(p -> p instanceof CommandComplete c && c.commandId().equals(commandId))
        .map(CommandComplete.class::cast)
        .findFirst()
        .orElse(null);
  }

  /** Waits (generously) for the command's COMMAND_COMPLETE and returns it. */
  CommandComplete awaitComplete(String commandId) {
    return awaitComplete(commandId, Duration.ofSeconds(20));
  }

  CommandComplete awaitComplete(String commandId, Duration atMost) {
    await("COMMAND_COMPLETE of " + commandId)
        .atMost(atMost)
        .until(() -> completeOf(commandId) != null);
    return completeOf(commandId);
  }

  /** Waits until the command's stdout so far contains {@code text}. */
  void awaitOutput(String commandId, String text) {
    await("output '" + text + "' of " + commandId)
        .atMost(Duration.ofSeconds(20))
        .until(() -> textOf(commandId, StreamType.STDOUT).contains(text));
  }

  static String commandIdOf(Payload p) {
    if (p instanceof CommandAck a) {
      return a.commandId();
    }
    if (p instanceof TerminalOutput t) {
      return t.commandId();
    }
    if (p instanceof CommandComplete c) {
      return c.commandId();
    }
    return null;
  }
}
