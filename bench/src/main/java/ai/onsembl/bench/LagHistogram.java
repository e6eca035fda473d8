package ai.onsembl.bench;

import java.util.Map;
import java.util.TreeMap;

/**
 * The backend's {@code agent_heartbeat_lag_seconds} histogram from /metrics, and quantiles of a
 * difference.
 */
final class LagHistogram {
  /** Upper bound (s) → cumulative count; +Inf as {@link Double#POSITIVE_INFINITY}. */
  final TreeMap<Double, Double> cumulative = new TreeMap<>();

  static LagHistogram parse(String metrics) {
    LagHistogram h = new LagHistogram();
    String prefix = "agent_heartbeat_lag_seconds_bucket{le=\"";
    for (String line : metrics.split("\n")) {
      if (line.startsWith(prefix)) {
        String le = line.substring(prefix.length(), line.indexOf('"', prefix.length()));
        double bound = le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le);
        h.cumulative.put(bound, Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
      }
    }
    return h;
  }

  LagHistogram minus(LagHistogram earlier) {
    LagHistogram d = new LagHistogram();
    for (Map.Entry<Double, Double> e : cumulative.entrySet()) {
      d.cumulative.put(e.getKey(), e.getValue() - earlier.cumulative.getOrDefault(e.getKey(), 0.0));
    }
    return d;
  }

  LagHistogram plus(LagHistogram other) {
    LagHistogram d = new LagHistogram();
    d.cumulative.putAll(cumulative);
    other.cumulative.forEach((k, v) -> d.cumulative.merge(k, v, Double::sum));
    return d;
  }

  double count() {
    return cumulative.isEmpty() ? 0 : cumulative.lastEntry().getValue();
  }

  /** Quantile in ms, interpolated linearly inside its bucket (the bucket above 5 s reports 5 s). */
  double quantileMs(double q) {
    double total = count();
    if (total <= 0) {
      return Double.NaN;
    }
    double target = q * total;
    double prevBound = 0;
    double prevCum = 0;
    for (Map.Entry<Double, Double> e : cumulative.entrySet()) {
      if (e.getValue() >= target) {
        if (e.getKey().isInfinite()) {
          return prevBound * 1000;
        }
        double inBucket = e.getValue() - prevCum;
        double frac = inBucket <= 0 ? 1 : (target - prevCum) / inBucket;
        return (prevBound + frac * (e.getKey() - prevBound)) * 1000;
      }
      prevBound = e.getKey().isInfinite() ? prevBound : e.getKey();
      prevCum = e.getValue();
    }
    return prevBound * 1000;
  }
}
