package cms.infra.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.DoubleSummaryStatistics;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The soak's series ({@code --soak}): one sample at its start and one every {@code --soak-sample}, and the
 * drift of a figure over the last two thirds of the soak (issue 13: "over the last 20 min" of 30), the first
 * third being its warm-up (the 10-minute dedupe horizon filling).
 */
public final class Soak {
    /** Issue 13's target: flat within 10%. */
    static final double FLAT = 0.10;

    /**
     * One sample: seconds since the soak began, the job JVM's heap after a full GC (MB), the latest completed
     * checkpoint's size (MB) and duration (ms), the usage topic's lag (end offsets minus the job's committed
     * offsets) and the committed rate since the previous sample (records/s); NaN or -1 when not measured.
     */
    public record Sample(long tSeconds, double heapAfterGcMb, double checkpointMb, long checkpointMs, long lag, double rate) {}

    private final Duration duration;
    private final Duration interval;
    private final List<Sample> samples = new ArrayList<>();

    Soak(Duration duration, Duration interval) {
        this.duration = duration;
        this.interval = interval;
    }

    public Duration duration() {
        return duration;
    }

    public Duration interval() {
        return interval;
    }

    public List<Sample> samples() {
        return List.copyOf(samples);
    }

    void add(Sample sample) {
        samples.add(sample);
    }

    /** Seconds from which a sample counts for the drift: the last two thirds of the soak. */
    long steadyFromSeconds() {
        return duration.toSeconds() / 3;
    }

    public double heapDrift() {
        return drift(Sample::heapAfterGcMb);
    }

    public double checkpointDrift() {
        return drift(Sample::checkpointMb);
    }

    /** (max - min) / mean of a figure over the samples of the last two thirds; NaN when none of them measured it. */
    public double drift(ToDoubleFunction<Sample> figure) {
        DoubleSummaryStatistics steady = steady(figure);
        if (steady.getCount() == 0) {
            return Double.NaN;
        }
        double spread = steady.getMax() - steady.getMin();
        return spread == 0 ? 0 : spread / steady.getAverage();
    }

    /** A figure over the samples of the last two thirds that measured it. */
    private DoubleSummaryStatistics steady(ToDoubleFunction<Sample> figure) {
        return samples.stream().filter(x -> x.tSeconds() >= steadyFromSeconds()).mapToDouble(figure)
                .filter(v -> !Double.isNaN(v)).summaryStatistics();
    }

    /** "within 10%", "NOT within 10%" or "not measured", for a drift. */
    static String verdict(double drift) {
        return Double.isNaN(drift) ? "not measured" : drift <= FLAT ? "within 10%" : "NOT within 10%";
    }

    // G1: " garbage-first heap   total 290816K, used 84867K [...]"; Parallel and Serial: one such line per generation
    // ("PSYoungGen", "ParOldGen", "def new generation", "tenured generation"). Metaspace lines have no "total".
    private static final Pattern HEAP_LINE = Pattern.compile("total (\\d+)K, used (\\d+)K");

    /** The heap in use (MB) in the output of {@code jcmd <pid> GC.heap_info}: the sum over its heap lines; NaN when it has none. */
    static double heapUsedMb(String heapInfo) {
        long usedKb = 0;
        boolean found = false;
        for (String line : heapInfo.split("\n")) {
            Matcher m = HEAP_LINE.matcher(line);
            if (m.find()) {
                usedKb += Long.parseLong(m.group(2));
                found = true;
            }
        }
        return found ? usedKb / 1024.0 : Double.NaN;
    }

    /** The {@code soak} object of results.json. */
    void json(ObjectNode soak) {
        Benchmark.number(soak, "minutes", duration.toSeconds() / 60.0);
        var list = soak.putArray("samples");
        for (Sample x : samples) {
            ObjectNode n = list.addObject();
            n.put("t_s", x.tSeconds());
            Benchmark.number(n, "heap_after_gc_mb", x.heapAfterGcMb());
            Benchmark.number(n, "checkpoint_mb", x.checkpointMb());
            n.put("checkpoint_ms", x.checkpointMs());
            n.put("lag", x.lag());
            Benchmark.number(n, "rate", x.rate());
        }
        Benchmark.number(soak, "heap_drift", heapDrift());
        Benchmark.number(soak, "checkpoint_drift", checkpointDrift());
    }

    /** The series as a markdown table, one row a sample. */
    String table() {
        StringBuilder md = new StringBuilder("| t | heap after full GC | latest checkpoint | checkpoint duration | lag | committed rate |\n"
                + "| ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (Sample x : samples) {
            md.append(String.format(Locale.ROOT, "| %d s%s | %s | %s | %s | %,d | %s |%n", x.tSeconds(),
                    x.tSeconds() >= steadyFromSeconds() ? "" : " (warm-up)", mb(x.heapAfterGcMb()), mb(x.checkpointMb()),
                    x.checkpointMs() < 0 ? "n/a" : String.format(Locale.ROOT, "%,d ms", x.checkpointMs()), x.lag(),
                    Double.isNaN(x.rate()) ? "" : String.format(Locale.ROOT, "%,.0f/s", x.rate())));
        }
        return md.toString();
    }

    /** One figure's drift and range over the last two thirds, for the results table. */
    String describe(ToDoubleFunction<Sample> figure) {
        double drift = drift(figure);
        DoubleSummaryStatistics steady = steady(figure);
        return Double.isNaN(drift) ? "not measured" : String.format(Locale.ROOT, "%.1f%% (%s to %s), %s", 100 * drift,
                mb(steady.getMin()), mb(steady.getMax()), verdict(drift));
    }

    private static String mb(double mb) {
        return Double.isNaN(mb) ? "n/a" : String.format(Locale.ROOT, "%,.1f MB", mb);
    }
}
