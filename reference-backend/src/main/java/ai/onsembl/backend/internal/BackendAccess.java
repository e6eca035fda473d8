package ai.onsembl.backend.internal;

import ai.onsembl.backend.BackendConfig;
import ai.onsembl.backend.ReferenceBackend;

/**
 * How this module's own fixture ({@code ai.onsembl.backend.junit}) reaches what {@link
 * ReferenceBackend} keeps out of its public API: a backend with hooks, and its running core. {@link
 * ReferenceBackend} registers the bridge when its class initializes. Other modules never use this
 * package (an ArchUnit test in e2e checks it).
 */
public final class BackendAccess {
  /** Implemented once, by {@link ReferenceBackend}. */
  public interface Bridge {
    /** An unstarted backend whose frames and faults go through {@code hooks}. */
    ReferenceBackend create(BackendConfig config, BackendHooks hooks);

    /** The running core of a started backend. */
    BackendCore core(ReferenceBackend backend);
  }

  private static volatile Bridge bridge;

  private BackendAccess() {}

  /** Called once from {@link ReferenceBackend}'s static initializer. */
  public static void register(Bridge b) {
    if (bridge != null) {
      throw new IllegalStateException("the backend bridge is registered by ReferenceBackend only");
    }
    bridge = b;
  }

  public static Bridge bridge() {
    if (bridge == null) {
      try {
        Class.forName(
            ReferenceBackend.class.getName(), true, ReferenceBackend.class.getClassLoader());
      } catch (ClassNotFoundException e) {
        throw new IllegalStateException(e);
      }
    }
    return bridge;
  }
}
