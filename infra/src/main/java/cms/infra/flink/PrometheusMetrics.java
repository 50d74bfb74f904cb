package cms.infra.flink;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * One scrape of a Flink Prometheus reporter's endpoint (the local job's, {@code --metrics-port}): every metric as the
 * reporter reads it at that moment, counters and histograms of every subtask from the same instant. Flink's REST API
 * answers metrics from its fetcher's cache instead, refreshed at most every 10 s and asynchronously, so two metrics
 * read one after the other (or at the two ends of a window) may come from different fetches.
 */
public final class PrometheusMetrics {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** One sample: the metric's name, its labels, its value. */
    public record Sample(String name, Map<String, String> labels, double value) {}

    private final List<Sample> samples;
    /** System.nanoTime() when the answer arrived. */
    public final long nanoTime;

    private PrometheusMetrics(List<Sample> samples, long nanoTime) {
        this.samples = samples;
        this.nanoTime = nanoTime;
    }

    public static PrometheusMetrics scrape(String url) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        long at = System.nanoTime();
        if (r.statusCode() != 200) {
            throw new IOException("GET " + url + " answered " + r.statusCode());
        }
        return new PrometheusMetrics(parse(r.body()), at);
    }

    /** The metrics of an exposition text already read. */
    static PrometheusMetrics of(String text) {
        return new PrometheusMetrics(parse(text), System.nanoTime());
    }

    /** The text exposition format: {@code name{label="value",...} value} lines, comments skipped. */
    static List<Sample> parse(String text) {
        List<Sample> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int brace = line.indexOf('{');
            int space = brace >= 0 ? line.indexOf(' ', line.lastIndexOf('}')) : line.indexOf(' ');
            if (space < 0) {
                continue;
            }
            String name = line.substring(0, brace >= 0 ? brace : space);
            Map<String, String> labels = new LinkedHashMap<>();
            if (brace >= 0) {
                parseLabels(line.substring(brace + 1, line.lastIndexOf('}')), labels);
            }
            String[] rest = line.substring(space + 1).trim().split(" ");
            try {
                out.add(new Sample(name, labels, Double.parseDouble(rest[0])));
            } catch (NumberFormatException e) {
                // NaN and +Inf parse; anything else is not a sample
            }
        }
        return out;
    }

    private static void parseLabels(String s, Map<String, String> labels) {
        int i = 0;
        while (i < s.length()) {
            int eq = s.indexOf('=', i);
            if (eq < 0 || eq + 1 >= s.length() || s.charAt(eq + 1) != '"') {
                return;
            }
            StringBuilder v = new StringBuilder();
            int j = eq + 2;
            for (; j < s.length() && s.charAt(j) != '"'; j++) {
                if (s.charAt(j) == '\\' && j + 1 < s.length()) {
                    j++;
                }
                v.append(s.charAt(j));
            }
            labels.put(s.substring(i, eq).trim(), v.toString());
            i = s.indexOf(',', j);
            if (i < 0) {
                return;
            }
            i++;
        }
    }

    /** The samples whose name ends with {@code "_" + metric} (Flink prefixes the scope, e.g. flink_taskmanager_job_task_operator_). */
    public List<Sample> named(String metric, Predicate<Map<String, String>> labels) {
        return samples.stream().filter(x -> x.name().endsWith("_" + metric) && labels.test(x.labels())).toList();
    }

    /** The sum over every subtask and operator reporting {@code metric}; NaN when none does. */
    public double sum(String metric) {
        List<Sample> found = named(metric, l -> true);
        return found.isEmpty() ? Double.NaN : found.stream().mapToDouble(Sample::value).sum();
    }
}
