package ai.onsembl.cli;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Sizes on the command line: {@code 16MiB}, {@code 512KiB}, {@code 1GiB}, or a number of bytes. */
public final class SizeConverter implements ITypeConverter<Long> {
  private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|KiB|MiB|GiB)?");

  @Override
  public Long convert(String value) {
    Matcher m = SIZE.matcher(value == null ? "" : value.trim());
    if (m.matches()) {
      try {
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "B" : m.group(2);
        int shift =
            switch (unit) {
              case "KiB" -> 10;
              case "MiB" -> 20;
              case "GiB" -> 30;
              default -> 0;
            };
        if (n <= (Long.MAX_VALUE >> shift)) {
          return n << shift;
        }
      } catch (NumberFormatException e) {
        // fall through
      }
    }
    throw new TypeConversionException(
        "expected a size such as 16MiB, 512KiB, 1GiB or a number of bytes but got '" + value + "'");
  }
}
