package ai.onsembl.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Duration text without picocli: {@code 250ms}, {@code 5s}, {@code 2m}, {@code 1h}, {@code 7d}, or
 * ISO-8601 ({@code PT5S}). {@link DurationConverter} is the picocli face of it; the start path
 * ({@link StartArgs}, {@link StartConfig}) uses this class so it loads no picocli class.
 */
final class Durations {
  private static final Pattern SIMPLE = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

  private Durations() {}

  /** The duration {@code value} stands for, or null when it is not one. */
  static Duration parseOrNull(String value) {
    String v = value == null ? "" : value.trim();
    Matcher m = SIMPLE.matcher(v);
    try {
      if (m.matches()) {
        long n = Long.parseLong(m.group(1));
        switch (m.group(2)) {
          case "ms":
            return Duration.ofMillis(n);
          case "s":
            return Duration.ofSeconds(n);
          case "m":
            return Duration.ofMinutes(n);
          case "d":
            return Duration.ofDays(n);
          default:
            return Duration.ofHours(n);
        }
      }
      if (v.startsWith("P") || v.startsWith("p")) {
        Duration d = Duration.parse(v);
        if (!d.isNegative()) {
          return d;
        }
      }
    } catch (NumberFormatException | ArithmeticException | DateTimeParseException e) {
      // not a duration
    }
    return null;
  }

  /** As {@link #parseOrNull}, refusing other text with an {@link IllegalArgumentException}. */
  static Duration parse(String value) {
    Duration d = parseOrNull(value);
    if (d == null) {
      throw new IllegalArgumentException(message(value));
    }
    return d;
  }

  static String message(String value) {
    return "expected a duration such as 250ms, 5s, 2m, 1h, 7d or PT5S but got '" + value + "'";
  }
}
