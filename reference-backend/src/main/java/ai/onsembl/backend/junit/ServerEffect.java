package ai.onsembl.backend.junit;

import java.time.Duration;
import java.util.Objects;

/** A fault to inject, as data: pass it to {@link TestBackend#apply(ServerEffect)}. */
public sealed interface ServerEffect {
  /** Drop the agent's TCP connection without a close handshake (the backend sees 1006). */
  record DropConnection(String agentId) implements ServerEffect {
    public DropConnection {
      Objects.requireNonNull(agentId, "agentId");
    }
  }

  /** Close the agent's socket with {@code code} (e.g. 4001, 1011) and a reason. */
  record CloseWith(String agentId, int code, String reason) implements ServerEffect {
    public CloseWith {
      Objects.requireNonNull(agentId, "agentId");
    }
  }

  /** Leave the agent's WebSocket ping frames unanswered: a half-open link seen from the agent. */
  record StopPonging(String agentId) implements ServerEffect {
    public StopPonging {
      Objects.requireNonNull(agentId, "agentId");
    }
  }

  /** Send the agent nothing any more: no PING, no ACK, no command (a frozen backend). */
  record StopAnswering(String agentId) implements ServerEffect {
    public StopAnswering {
      Objects.requireNonNull(agentId, "agentId");
    }
  }

  /** Undo {@link StopPonging} and {@link StopAnswering} for the agent. */
  record Resume(String agentId) implements ServerEffect {
    public Resume {
      Objects.requireNonNull(agentId, "agentId");
    }
  }

  /** Delay every ACK to agents by {@code delay} ({@link Duration#ZERO} to stop delaying). */
  record DelayAcks(Duration delay) implements ServerEffect {
    public DelayAcks {
      Objects.requireNonNull(delay, "delay");
      if (delay.isNegative()) {
        throw new IllegalArgumentException("delay must not be negative but was " + delay);
      }
    }
  }
}
