package ai.onsembl.cli;

import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Durations on the command line: {@code 250ms}, {@code 5s}, {@code 2m}, {@code 1h}, {@code 7d}, or
 * ISO-8601 ({@code PT5S}); the parsing is {@link Durations}'.
 */
public final class DurationConverter implements ITypeConverter<Duration> {
  @Override
  public Duration convert(String value) {
    return parse(value);
  }

  public static Duration parse(String value) {
    Duration d = Durations.parseOrNull(value);
    if (d == null) {
      throw new TypeConversionException(Durations.message(value));
    }
    return d;
  }
}
