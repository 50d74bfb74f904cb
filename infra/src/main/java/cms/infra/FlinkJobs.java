package cms.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A job's life on a Flink session cluster through Flink's own REST API, with {@code flink run}
 * semantics: the jar is uploaded to the JobManager, which runs its main() with the cluster's jars
 * provided ({@code POST /jars/upload}, {@code POST /jars/:id/run}, optionally from a savepoint); a job
 * is stopped with a savepoint ({@code POST /jobs/:id/stop}, without draining: a suspended job, no
 * end-of-time watermark) and the savepoint's path is returned when it completed.
 */
public final class FlinkJobs {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final String base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** {@code base}: the JobManager's REST address, e.g. http://127.0.0.1:28081. */
    public FlinkJobs(String base) {
        this.base = base;
    }

    /** Uploads {@code jar} and runs its main class with {@code args} (from {@code savepoint} unless null); returns the job id. */
    public String submit(Path jar, List<String> args, String savepoint) throws IOException, InterruptedException {
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: build it first (mvn -pl pipeline -am package -DskipTests)");
        }
        String boundary = "----cms" + UUID.randomUUID();
        // streamed from the file: the jar (tens of MB) never sits in this small JVM's heap
        HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.concat(
                HttpRequest.BodyPublishers.ofString("--" + boundary + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\""
                        + jar.getFileName() + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n", StandardCharsets.UTF_8),
                HttpRequest.BodyPublishers.ofFile(jar),
                HttpRequest.BodyPublishers.ofString("\r\n--" + boundary + "--\r\n", StandardCharsets.UTF_8));
        JsonNode uploaded = send(HttpRequest.newBuilder(URI.create(base + "/jars/upload"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(body).timeout(Duration.ofMinutes(2)).build());
        String file = uploaded.path("filename").asText();
        String jarId = file.substring(file.lastIndexOf('/') + 1);

        ObjectNode run = JSON.createObjectNode();
        run.putArray("programArgsList").addAll(args.stream().map(a -> JSON.getNodeFactory().textNode(a)).toList());
        if (savepoint != null) {
            run.put("savepointPath", savepoint);
            run.put("allowNonRestoredState", false);
        }
        JsonNode started = send(HttpRequest.newBuilder(URI.create(base + "/jars/" + jarId + "/run"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(run.toString())).timeout(Duration.ofMinutes(3)).build());
        String jobId = started.path("jobid").asText();
        if (jobId.isEmpty()) {
            throw new IllegalStateException("the JobManager did not start the job: " + started);
        }
        return jobId;
    }

    /** Stops the job with a savepoint in {@code targetDirectory} (a URI every Flink process reaches); returns its path. */
    public String stopWithSavepoint(String jobId, String targetDirectory, Duration timeout) throws IOException, InterruptedException {
        ObjectNode stop = JSON.createObjectNode().put("targetDirectory", targetDirectory).put("drain", false).put("formatType", "CANONICAL");
        JsonNode trigger = send(HttpRequest.newBuilder(URI.create(base + "/jobs/" + jobId + "/stop"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(stop.toString())).timeout(Duration.ofSeconds(30)).build());
        String requestId = trigger.path("request-id").asText();
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            JsonNode status = get("/jobs/" + jobId + "/savepoints/" + requestId);
            if ("COMPLETED".equals(status.path("status").path("id").asText())) {
                JsonNode operation = status.path("operation");
                if (operation.hasNonNull("location")) {
                    return operation.path("location").asText();
                }
                throw new IllegalStateException("stop with savepoint of " + jobId + " failed: " + operation.path("failure-cause"));
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("stop with savepoint of " + jobId + " did not complete within " + timeout);
    }

    /** Cancels the job (no savepoint). */
    public void cancel(String jobId) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/jobs/" + jobId + "?mode=cancel"))
                .method("PATCH", HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IOException("cancel of " + jobId + " answered " + r.statusCode() + ": " + r.body());
        }
    }

    /** The job's state (RUNNING, FINISHED, ...), from the dispatcher's overview. */
    public String state(String jobId) throws IOException, InterruptedException {
        for (JsonNode job : get("/jobs/overview").path("jobs")) {
            if (job.path("jid").asText().equals(jobId)) {
                return job.path("state").asText();
            }
        }
        return "UNKNOWN";
    }

    /** Every task of the job RUNNING. */
    public boolean allTasksRunning(String jobId) throws IOException, InterruptedException {
        for (JsonNode job : get("/jobs/overview").path("jobs")) {
            if (job.path("jid").asText().equals(jobId)) {
                JsonNode tasks = job.path("tasks");
                return "RUNNING".equals(job.path("state").asText()) && tasks.path("total").asInt() > 0
                        && tasks.path("running").asInt() == tasks.path("total").asInt();
            }
        }
        return false;
    }

    /** How often the job restarted after failures (its exception history). */
    public int failures(String jobId) throws IOException, InterruptedException {
        return get("/jobs/" + jobId + "/exceptions").path("exceptionHistory").path("entries").size();
    }

    /** Id, name and state of every job, one a line. */
    public String overview() throws IOException, InterruptedException {
        StringBuilder out = new StringBuilder();
        for (JsonNode job : get("/jobs/overview").path("jobs")) {
            out.append(job.path("jid").asText()).append(' ').append(job.path("state").asText()).append(' ')
                    .append(job.path("name").asText()).append('\n');
        }
        return out.length() == 0 ? "(no jobs)" : out.toString().strip();
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10)).build());
    }

    private JsonNode send(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IOException(request.method() + " " + request.uri() + " answered " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }
}
