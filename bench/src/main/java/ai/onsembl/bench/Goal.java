package ai.onsembl.bench;

/**
 * A speed or footprint goal (docs/BENCHMARKS.md) and the statistic it is judged on: latency goals
 * on the p99 (the stricter reading), footprint on the largest run, throughput on the smallest run.
 */
record Goal(String text, double bound, boolean atMost, String judgedOn, double medianBound) {
  static Goal p99AtMost(double bound, String unit) {
    return new Goal("≤ " + fmt(bound) + " " + unit, bound, true, "p99", Double.NaN);
  }

  /** Two bounds at once, e.g. median ≤ 250 ms and p99 ≤ 400 ms: met only when both are. */
  static Goal medianAndP99AtMost(double median, double p99, String unit) {
    return new Goal(
        "median ≤ " + fmt(median) + ", p99 ≤ " + fmt(p99) + " " + unit, p99, true, "p99", median);
  }

  static Goal maxAtMost(double bound, String unit) {
    return new Goal("≤ " + fmt(bound) + " " + unit, bound, true, "max", Double.NaN);
  }

  static Goal minAtLeast(double bound, String unit) {
    return new Goal("≥ " + fmt(bound) + " " + unit, bound, false, "min", Double.NaN);
  }

  static Goal none() {
    return new Goal("—", Double.NaN, true, "", Double.NaN);
  }

  double judged(Stats s) {
    return switch (judgedOn) {
      case "p99" -> s.p99();
      case "max" -> s.max();
      case "min" -> s.min();
      default -> Double.NaN;
    };
  }

  /** "met", or "missed by X (Y %)", or "" when there is no goal. */
  String verdict(Stats s, String unit) {
    if (!Double.isNaN(medianBound) && s.median() > medianBound) {
      double by = s.median() - medianBound;
      String p99 = verdictOf(judged(s), unit);
      return "**missed** by "
          + fmt(by)
          + " "
          + unit
          + " ("
          + Math.round(100 * by / medianBound)
          + " %, median)"
          + (p99.startsWith("met")
              ? "; p99 met"
              : "; p99 " + p99.replace("**missed** ", "missed "));
    }
    String v = verdictOf(judged(s), unit);
    return Double.isNaN(medianBound) || !v.startsWith("met") ? v : "met (median and p99)";
  }

  /** As {@link #verdict(Stats, String)} for a value already computed (e.g. a histogram's p99). */
  String verdictOf(double v, String unit) {
    if (Double.isNaN(bound)) {
      return "";
    }
    if (Double.isNaN(v)) {
      return "not measured";
    }
    boolean met = atMost ? v <= bound : v >= bound;
    if (met) {
      return "met (" + judgedOn + ")";
    }
    double by = Math.abs(v - bound);
    return "**missed** by "
        + fmt(by)
        + " "
        + unit
        + " ("
        + Math.round(100 * by / bound)
        + " %, "
        + judgedOn
        + ")";
  }

  static String fmt(double v) {
    if (Double.isNaN(v)) {
      return "n/a";
    }
    double a = Math.abs(v);
    if (a >= 100 || v == Math.rint(v)) {
      return String.format("%,.0f", v);
    }
    if (a >= 10) {
      return String.format("%.1f", v);
    }
    return String.format("%.2f", v);
  }
}
