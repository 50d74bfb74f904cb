package cms.api.ratingjob;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * The rating job's state from Flink's REST API ({@code GET /jobs/overview}, which the dispatcher
 * answers afresh, not from the web UI's cache): RUNNING with every task running, or what it is
 * instead (RESTARTING, FAILING, FAILED, tasks still deploying after a failover, no such job).
 */
final class FlinkJobs {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final String base;
    private final String jobName;
    private final HttpClient http;
    private final Duration timeout;

    FlinkJobs(String base, String jobName, Duration timeout) {
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        this.jobName = jobName;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    /** What is wrong with the job, if anything; a healthy job's summary otherwise. */
    record State(Optional<String> problem, String summary) {}

    State state() throws InterruptedException {
        JsonNode jobs;
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/jobs/overview")).timeout(timeout).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                return new State(Optional.of("Flink REST " + base + " answered " + r.statusCode()), "");
            }
            jobs = JSON.readTree(r.body()).path("jobs");
        } catch (IOException e) {
            return new State(Optional.of("Flink REST " + base + " unreachable (" + e.getClass().getSimpleName() + ")"), "");
        }
        JsonNode newest = null;
        for (JsonNode job : jobs) {
            if (job.path("name").asText().equals(jobName)
                    && (newest == null || job.path("start-time").asLong() > newest.path("start-time").asLong())) {
                newest = job;
            }
        }
        if (newest == null) {
            return new State(Optional.of("no job named '" + jobName + "' at " + base), "");
        }
        String state = newest.path("state").asText();
        int total = newest.path("tasks").path("total").asInt();
        int running = newest.path("tasks").path("running").asInt();
        if (!"RUNNING".equals(state)) {
            return new State(Optional.of("job is " + state + " (" + running + "/" + total + " tasks running)"), "");
        }
        if (total == 0 || running < total) {
            return new State(Optional.of("job is restarting: " + running + "/" + total + " tasks running"), "");
        }
        return new State(Optional.empty(), "RUNNING, " + running + "/" + total + " tasks");
    }
}
