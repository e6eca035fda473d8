package ai.onsembl.protocol;

/** Limits every peer enforces (docs/PROTOCOL.md). */
public final class Limits {
  /** One frame is at most 1 MiB of UTF-8. */
  public static final int MAX_FRAME_BYTES = 1024 * 1024;

  /** Deepest JSON nesting a frame may have; ours need fewer than ten levels. */
  public static final int MAX_NESTING_DEPTH = 64;

  private Limits() {}
}
