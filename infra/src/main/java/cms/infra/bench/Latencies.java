package cms.infra.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Latency samples (milliseconds) and their percentiles (nearest rank). Thread-safe. */
public final class Latencies {
    private final List<Double> samples = new ArrayList<>();
    private int failures;

    synchronized void add(double millis) {
        samples.add(millis);
    }

    synchronized void fail() {
        failures++;
    }

    public synchronized int count() {
        return samples.size();
    }

    public synchronized int failures() {
        return failures;
    }

    public synchronized double percentile(double p) {
        if (samples.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(samples);
        Collections.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }

    public synchronized double max() {
        return samples.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }

    synchronized void addAll(Latencies other) {
        List<Double> theirs;
        int theirFailures;
        synchronized (other) {
            theirs = new ArrayList<>(other.samples);
            theirFailures = other.failures;
        }
        samples.addAll(theirs);
        failures += theirFailures;
    }

    public String describe() {
        return count() == 0 ? "no samples" : String.format("p50 %s, p99 %s, max %s (%d samples%s)", ms(percentile(50)),
                ms(percentile(99)), ms(max()), count(), failures() > 0 ? ", " + failures() + " failed" : "");
    }

    static String ms(double millis) {
        if (Double.isNaN(millis)) {
            return "n/a";
        }
        return millis >= 1000 ? String.format("%.2f s", millis / 1000) : String.format("%.1f ms", millis);
    }
}
