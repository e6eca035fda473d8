package ai.onsembl.wrapper.internal.link;

import java.net.URI;
import java.time.Duration;

/**
 * The link's knobs.
 *
 * @param endpoint the agent endpoint without query ({@code ws://host:port/ws/agent})
 * @param heldBeforeReset a connection must hold this long before the backoff starts again from its
 *     base
 */
public record LinkSettings(
    URI endpoint,
    String agentId,
    String token,
    Duration heartbeatInterval,
    Duration reconnectMin,
    Duration reconnectMax,
    Duration heldBeforeReset,
    Duration connectTimeout,
    Duration giveUpAfter,
    int maxQueuedFrames,
    long maxQueuedBytes) {

  @Override
  public String toString() {
    return "LinkSettings[endpoint="
        + endpoint
        + ", agentId="
        + agentId
        + ", token="
        + (token == null ? "none" : "***")
        + "]";
  }
}
