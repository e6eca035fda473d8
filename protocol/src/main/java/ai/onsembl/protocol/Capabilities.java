package ai.onsembl.protocol;

import ai.onsembl.protocol.internal.CapabilitiesSerializer;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import java.util.List;

/**
 * What an agent can do. On AGENT_CONNECT it is an object ({@code maxTokens, supportsInterrupt,
 * supportsTrace}); the TypeScript backend's DASHBOARD_CONNECTED sends a list of names instead
 * ({@code ["basic","interrupt","trace"]}), kept in {@link #names()} and encoded back as a list.
 */
@JsonSerialize(using = CapabilitiesSerializer.class)
public record Capabilities(
    Integer maxTokens, Boolean supportsInterrupt, Boolean supportsTrace, List<String> names) {

  public Capabilities {
    names = names == null ? null : List.copyOf(names);
  }

  public static Capabilities of(int maxTokens, boolean supportsInterrupt, boolean supportsTrace) {
    return new Capabilities(maxTokens, supportsInterrupt, supportsTrace, null);
  }

  public static Capabilities ofNames(List<String> names) {
    return new Capabilities(null, null, null, names);
  }
}
