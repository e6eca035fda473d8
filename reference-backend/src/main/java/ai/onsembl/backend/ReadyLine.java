package ai.onsembl.backend;

import java.net.URI;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The line a backend process prints on stdout once both ports are bound, {@code onsembl backend
 * listening ws://HOST:PORT http://HOST:PORT} ({@code wss://} and {@code https://} with TLS):
 * printed by {@code onsembl-agent backend}, read by whatever started it to learn the real ports.
 * One format, one parser.
 *
 * @param wsUrl the WebSocket base URL without a path
 * @param httpUrl the HTTP base URL without a path
 */
public record ReadyLine(String wsUrl, String httpUrl) {
  private static final String PREFIX = "onsembl backend listening ";
  private static final Pattern LINE =
      Pattern.compile(Pattern.quote(PREFIX) + "(wss?://\\S+) (https?://\\S+)");

  public ReadyLine {
    Objects.requireNonNull(wsUrl, "wsUrl");
    Objects.requireNonNull(httpUrl, "httpUrl");
  }

  /** The ready line of a started backend. */
  public static ReadyLine of(ReferenceBackend backend) {
    return new ReadyLine(backend.wsUrl(), backend.httpUrl());
  }

  /**
   * The ready line found in {@code text} (a line, or output with other lines around it), if any.
   */
  public static Optional<ReadyLine> find(String text) {
    Matcher m = LINE.matcher(text == null ? "" : text);
    return m.find() ? Optional.of(new ReadyLine(m.group(1), m.group(2))) : Optional.empty();
  }

  /** As {@link #find} but a missing line is an error naming what came instead. */
  public static ReadyLine parse(String text) {
    return find(text)
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "expected '" + PREFIX + "ws://HOST:PORT http://HOST:PORT' but got: " + text));
  }

  public int wsPort() {
    return URI.create(wsUrl).getPort();
  }

  public int httpPort() {
    return URI.create(httpUrl).getPort();
  }

  /** The line as printed. */
  @Override
  public String toString() {
    return PREFIX + wsUrl + " " + httpUrl;
  }
}
