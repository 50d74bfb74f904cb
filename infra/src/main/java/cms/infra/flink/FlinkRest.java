package cms.infra.flink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/** The few facts the benchmark and the generator's live line read from Flink's REST API (the local job's web UI). */
public final class FlinkRest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The name pipeline/Workflow gives the Kafka source of cms.usage.v1. */
    static final String USAGE_SOURCE = "usage source";
    private final String base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    public FlinkRest(String base) {
        this.base = base;
    }

    /** The id of the one job the local cluster runs. */
    public String jobId() throws IOException, InterruptedException {
        for (JsonNode job : get("/jobs/overview").path("jobs")) {
            return job.path("jid").asText();
        }
        throw new IllegalStateException("no job at " + base);
    }

    /** The job's state and whether every task of every vertex is RUNNING. */
    public record Status(String state, boolean allTasksRunning, int running, int tasks) {
        public boolean healthy() {
            return "RUNNING".equals(state) && allTasksRunning;
        }
    }

    /**
     * From /jobs/overview, which the dispatcher answers afresh: the job detail endpoints answer from a
     * cache that lives web.refresh-interval (3 s by default), too coarse to time a recovery.
     */
    public Status status(String jobId) throws IOException, InterruptedException {
        for (JsonNode job : get("/jobs/overview").path("jobs")) {
            if (job.path("jid").asText().equals(jobId)) {
                JsonNode tasks = job.path("tasks");
                int total = tasks.path("total").asInt();
                int running = tasks.path("running").asInt();
                return new Status(job.path("state").asText(), total > 0 && running == total, running, total);
            }
        }
        throw new IOException("job " + jobId + " is not in /jobs/overview");
    }

    /** The time (epoch ms) of the newest failure in the job's exception history, if any. */
    public OptionalLong lastFailure(String jobId) throws IOException, InterruptedException {
        JsonNode exceptions = get("/jobs/" + jobId + "/exceptions");
        long newest = -1;
        for (JsonNode e : exceptions.path("exceptionHistory").path("entries")) {
            newest = Math.max(newest, e.path("timestamp").asLong(-1));
        }
        if (exceptions.has("timestamp")) {
            newest = Math.max(newest, exceptions.path("timestamp").asLong(-1));
        }
        return newest > 0 ? OptionalLong.of(newest) : OptionalLong.empty();
    }

    /** The task failures of the job's exception history, newest first: count and the newest one's first lines. */
    public record Failures(int count, String newest) {}

    public Failures failures(String jobId) {
        try {
            JsonNode entries = get("/jobs/" + jobId + "/exceptions").path("exceptionHistory").path("entries");
            String newest = null;
            long newestAt = -1;
            int count = 0;
            for (JsonNode e : entries) {
                count++;
                if (e.path("timestamp").asLong() > newestAt) {
                    newestAt = e.path("timestamp").asLong();
                    String[] lines = e.path("stacktrace").asText(e.path("exceptionName").asText()).split("\n");
                    StringBuilder b = new StringBuilder();
                    for (int i = 0; i < lines.length && b.length() < 1500; i++) {
                        if (i < 6 || lines[i].startsWith("Caused by")) {
                            b.append(lines[i].strip()).append(" | ");
                        }
                    }
                    newest = e.path("taskName").asText("?") + ": " + b;
                }
            }
            return new Failures(count, newest);
        } catch (IOException | RuntimeException e) {
            return new Failures(0, null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Failures(0, null);
        }
    }

    /** Completed checkpoints so far, and the duration of the latest completed one (ms). */
    public record Checkpoints(long completed, long failed, long lastDurationMs, long lastSizeBytes) {}

    public Checkpoints checkpoints(String jobId) throws IOException, InterruptedException {
        JsonNode c = get("/jobs/" + jobId + "/checkpoints");
        JsonNode latest = c.path("latest").path("completed");
        return new Checkpoints(c.path("counts").path("completed").asLong(), c.path("counts").path("failed").asLong(),
                latest.path("end_to_end_duration").asLong(-1), latest.path("state_size").asLong(latest.path("checkpointed_size").asLong(-1)));
    }

    /** What one job vertex (a chain of operators) sent to the next over Flink's exchanges so far. */
    public record Exchange(String vertex, long records, long bytes) {}

    /**
     * Records and bytes each vertex wrote to its downstream exchanges (keyBy, rebalance, broadcast), from the
     * job's vertex metrics: the shuffles' share of an event's cost, independent of how busy the machine is.
     * Vertices that write nothing (sinks) are left out.
     */
    public List<Exchange> exchanges(String jobId) throws IOException, InterruptedException {
        List<Exchange> out = new ArrayList<>();
        for (JsonNode v : get("/jobs/" + jobId).path("vertices")) {
            JsonNode m = v.path("metrics");
            long bytes = m.path("write-bytes").asLong();
            if (bytes > 0) {
                out.add(new Exchange(v.path("name").asText(), m.path("write-records").asLong(), bytes));
            }
        }
        return out;
    }

    /** One line on the job's health: state, tasks running, checkpoints, failures so far. */
    public String describe(String jobId) {
        try {
            Status st = status(jobId);
            JsonNode c = get("/jobs/" + jobId + "/checkpoints");
            JsonNode counts = c.path("counts");
            long failures = 0;
            for (JsonNode ignored : get("/jobs/" + jobId + "/exceptions").path("exceptionHistory").path("entries")) {
                failures++;
            }
            JsonNode last = c.path("latest").path("completed");
            return String.format("%s %d/%d tasks, checkpoints %d ok %d failed %d running (last %.1f s, %,.1f MB), %d task failures",
                    st.state(), st.running(), st.tasks(), counts.path("completed").asLong(), counts.path("failed").asLong(),
                    counts.path("in_progress").asLong(), last.path("end_to_end_duration").asLong() / 1000.0,
                    last.path("state_size").asLong(last.path("checkpointed_size").asLong()) / 1048576.0, failures);
        } catch (IOException | RuntimeException e) {
            return "job status unavailable: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /**
     * Records the job's usage source (the operator the pipeline names "usage source"; the reference
     * data's source is not lag) has still to read, summed over its readers: the source reader's
     * own pendingRecords metric (the topic's end offsets minus the consumer's current position), so
     * the true position at this moment, not the offsets committed at the last checkpoint. Empty when
     * the job runs no such source or the metric is not reported yet.
     */
    public OptionalLong pendingRecords(String jobId) throws IOException, InterruptedException {
        long pending = 0;
        boolean found = false;
        for (JsonNode vertex : get("/jobs/" + jobId).path("vertices")) {
            if (!vertex.path("name").asText().startsWith("Source: " + USAGE_SOURCE)) {
                continue;
            }
            String at = "/jobs/" + jobId + "/vertices/" + vertex.path("id").asText() + "/subtasks/metrics";
            for (JsonNode metric : get(at)) {
                String id = metric.path("id").asText();
                if (id.endsWith(USAGE_SOURCE.replace(' ', '_') + ".pendingRecords")) {
                    for (JsonNode value : get(at + "?agg=sum&get=" + java.net.URLEncoder.encode(id, java.nio.charset.StandardCharsets.UTF_8))) {
                        pending += (long) value.path("sum").asDouble();
                        found = true;
                    }
                }
            }
        }
        return found ? OptionalLong.of(pending) : OptionalLong.empty();
    }

    /** How {@link #metric} aggregates a metric over the subtasks (and the operators) that report it. */
    public enum Agg { SUM, MAX, AVG }

    /**
     * A metric of the job's operators, by the end of its id (e.g. "cassandraRows", or
     * "level.PARTNER.freshnessMillis_p99" for a histogram's percentile), aggregated over every subtask of every
     * vertex that reports it; empty when none does yet.
     */
    public java.util.OptionalDouble metric(String jobId, String idSuffix, Agg agg) throws IOException, InterruptedException {
        List<Double> values = new ArrayList<>();
        for (JsonNode vertex : get("/jobs/" + jobId).path("vertices")) {
            String at = "/jobs/" + jobId + "/vertices/" + vertex.path("id").asText() + "/subtasks/metrics";
            List<String> ids = new ArrayList<>();
            for (JsonNode metric : get(at)) {
                String id = metric.path("id").asText();
                if (id.equals(idSuffix) || id.endsWith("." + idSuffix)) {
                    ids.add(id);
                }
            }
            for (String id : ids) {
                for (JsonNode value : get(at + "?agg=" + agg.name().toLowerCase(java.util.Locale.ROOT) + "&get="
                        + java.net.URLEncoder.encode(id, java.nio.charset.StandardCharsets.UTF_8))) {
                    JsonNode v = value.path(agg.name().toLowerCase(java.util.Locale.ROOT));
                    if (v.isNumber()) {
                        values.add(v.asDouble());
                    }
                }
            }
        }
        if (values.isEmpty()) {
            return java.util.OptionalDouble.empty();
        }
        return switch (agg) {
            case SUM -> java.util.OptionalDouble.of(values.stream().mapToDouble(Double::doubleValue).sum());
            case MAX -> values.stream().mapToDouble(Double::doubleValue).max();
            case AVG -> values.stream().mapToDouble(Double::doubleValue).average();
        };
    }

    /**
     * Several metrics at once, each by the end of its id as in {@link #metric}, aggregated over the subtasks of every vertex
     * that reports it and then over the vertices (sum for SUM, else the maximum); a metric none reports is left out. All of
     * a vertex's metrics come from one request, so from the same state of the REST API's metric cache (which its fetcher
     * refreshes at most every 10 s: a figure may be that old).
     */
    public java.util.Map<String, Double> metrics(String jobId, List<String> idSuffixes, Agg agg) throws IOException, InterruptedException {
        java.util.Map<String, Double> out = new java.util.LinkedHashMap<>();
        String a = agg.name().toLowerCase(java.util.Locale.ROOT);
        for (JsonNode vertex : get("/jobs/" + jobId).path("vertices")) {
            String at = "/jobs/" + jobId + "/vertices/" + vertex.path("id").asText() + "/subtasks/metrics";
            java.util.Map<String, String> suffixOf = new java.util.LinkedHashMap<>();
            for (JsonNode metric : get(at)) {
                String id = metric.path("id").asText();
                for (String suffix : idSuffixes) {
                    if (id.equals(suffix) || id.endsWith("." + suffix)) {
                        suffixOf.put(id, suffix);
                    }
                }
            }
            if (suffixOf.isEmpty()) {
                continue;
            }
            String ids = java.net.URLEncoder.encode(String.join(",", suffixOf.keySet()), java.nio.charset.StandardCharsets.UTF_8);
            for (JsonNode value : get(at + "?agg=" + a + "&get=" + ids)) {
                JsonNode v = value.path(a);
                String suffix = suffixOf.get(value.path("id").asText());
                if (suffix != null && v.isNumber()) {
                    out.merge(suffix, v.asDouble(), agg == Agg.SUM ? Double::sum : Math::max);
                }
            }
        }
        return out;
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("GET " + path + " answered " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }
}
