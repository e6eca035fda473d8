package ai.onsembl.wrapper;

/**
 * The wrapper's lifecycle: {@code STARTING → CONNECTING → ONLINE ⇄ RECONNECTING → STOPPING →
 * STOPPED}.
 */
public enum LifecycleState {
  STARTING,
  CONNECTING,
  ONLINE,
  RECONNECTING,
  STOPPING,
  STOPPED;

  /** True once the way out has begun. */
  public boolean isStopping() {
    return this == STOPPING || this == STOPPED;
  }
}
