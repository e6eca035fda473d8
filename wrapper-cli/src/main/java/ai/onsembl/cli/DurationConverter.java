package ai.onsembl.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Durations on the command line: {@code 250ms}, {@code 5s}, {@code 2m}, {@code 1h}, {@code 7d}, or
 * ISO-8601 ({@code PT5S}).
 */
public final class DurationConverter implements ITypeConverter<Duration> {
  private static final Pattern SIMPLE = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

  @Override
  public Duration convert(String value) {
    return parse(value);
  }

  public static Duration parse(String value) {
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
      // fall through to the error below
    }
    throw new TypeConversionException(
        "expected a duration such as 250ms, 5s, 2m, 1h, 7d or PT5S but got '" + value + "'");
  }
}
