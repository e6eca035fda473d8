package ai.onsembl.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Appends result rows (tab-separated: section, measurement, goal, median, p99, runs, unit, verdict,
 * method) to the file named by {@code -Dbench.out}; {@link Report} turns them into
 * docs/BENCHMARKS.md.
 */
final class Results {
  private Results() {}

  static void row(String section, String name, Goal goal, Stats s, String unit, String method) {
    String line =
        String.join(
            "\t",
            section,
            name,
            goal.text(),
            Goal.fmt(s.median()),
            Goal.fmt(s.p99()),
            Integer.toString(s.count()),
            unit,
            goal.verdict(s, unit),
            method.replace('\t', ' ').replace('\n', ' '));
    System.out.println("RESULT " + line);
    write(line);
  }

  /**
   * A row whose median and p99 come from elsewhere (a histogram); the goal is judged on the p99.
   */
  static void row(
      String section,
      String name,
      Goal goal,
      double median,
      double p99,
      long runs,
      String unit,
      String method) {
    String line =
        String.join(
            "\t",
            section,
            name,
            goal.text(),
            Goal.fmt(median),
            Goal.fmt(p99),
            Long.toString(runs),
            unit,
            goal.verdictOf(p99, unit),
            method.replace('\t', ' ').replace('\n', ' '));
    System.out.println("RESULT " + line);
    write(line);
  }

  /** A free-form note for a section (what was tried, why a goal is missed). */
  static void note(String section, String text) {
    System.out.println("NOTE " + section + ": " + text);
    write(String.join("\t", section, "#note", text.replace('\t', ' ').replace('\n', ' ')));
  }

  private static synchronized void write(String line) {
    String out = System.getProperty("bench.out");
    if (out == null) {
      return;
    }
    try {
      Files.writeString(
          Path.of(out),
          line + "\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
