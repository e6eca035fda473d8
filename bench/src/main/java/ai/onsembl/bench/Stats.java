package ai.onsembl.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Samples of one measurement; percentiles by nearest rank (p99 of 20 samples is the largest). */
final class Stats {
  private final List<Double> values = new ArrayList<>();

  synchronized void add(double v) {
    values.add(v);
  }

  synchronized List<Double> values() {
    return new ArrayList<>(values);
  }

  synchronized int count() {
    return values.size();
  }

  synchronized double percentile(double p) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int rank = (int) Math.ceil(p / 100.0 * sorted.size());
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
  }

  double median() {
    return percentile(50);
  }

  double p99() {
    return percentile(99);
  }

  synchronized double min() {
    return values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
  }

  synchronized double max() {
    return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
  }
}
