package cms.pipeline.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/** What the fault tests ask a job's JobManager (Flink's REST API, a MiniCluster's or the cluster's) and how they wait for recovery. */
final class FlinkRest {
    private final URI rest;
    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    FlinkRest(URI rest) {
        this.rest = rest;
    }

    /** A GET, tried 4 times a second apart (the JobManager answers slowly on a loaded machine). */
    JsonNode get(String path) throws IOException, InterruptedException {
        IOException last = null;
        for (int attempt = 0; attempt < 4; attempt++) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(rest.resolve(path)).timeout(Duration.ofSeconds(15)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return json.readTree(r.body());
                }
                last = new IOException("GET " + path + ": " + r.statusCode() + " " + r.body());
            } catch (IOException e) {
                last = e;
            }
            Thread.sleep(1000);
        }
        throw last;
    }

    /** {completed, failed} checkpoints of the job so far (as this JobManager counted them). */
    long[] checkpoints(String jobId) throws IOException, InterruptedException {
        JsonNode counts = get("/jobs/" + jobId + "/checkpoints").path("counts");
        return new long[] {counts.path("completed").asLong(), counts.path("failed").asLong()};
    }

    /**
     * The id of the job's latest completed checkpoint, -1 if none. Ids go on across a JobManager's failover (the
     * counter is in the high-availability services), where the counts start again.
     */
    long latestCheckpoint(String jobId) throws IOException, InterruptedException {
        JsonNode latest = get("/jobs/" + jobId + "/checkpoints").path("latest").path("completed");
        return latest.isMissingNode() || latest.isNull() ? -1 : latest.path("id").asLong();
    }

    /** numRestarts of the job (counted by its current JobMaster), -1 when not known. */
    long restarts(String jobId) {
        try {
            for (JsonNode m : get("/jobs/" + jobId + "/metrics?get=numRestarts")) {
                return m.path("value").asLong();
            }
            return -1;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** RUNNING, and a checkpoint later than {@code checkpointBefore} completed (so every task runs). */
    boolean checkpointedSince(String jobId, long checkpointBefore) {
        try {
            return "RUNNING".equals(get("/jobs/" + jobId).path("state").asText()) && latestCheckpoint(jobId) > checkpointBefore;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** How a job came back after a fault: seconds from the fault's end until it checkpointed, and until its committed lag drained. */
    record Recovery(double recoverSeconds, double drainSeconds, long lagAtCheckpoint, long peakLag) {}

    /**
     * Waits until the job is RUNNING and completed a checkpoint after {@code checkpointBefore}, then until the committed
     * lag ({@code lag}: usage records not yet covered by the committed offsets, which move at checkpoints) is at most
     * {@code bound}; fails after {@code wait} each. Seconds are counted from {@code faultEndNanos}.
     */
    Recovery awaitRecovery(String what, String jobId, long checkpointBefore, long faultEndNanos, LongSupplier lag, long bound,
                           Duration wait) throws InterruptedException {
        await("a checkpoint after " + checkpointBefore + " (" + what + ")", () -> checkpointedSince(jobId, checkpointBefore), wait);
        double recover = (System.nanoTime() - faultEndNanos) / 1e9;
        long lagAtCheckpoint = lag.getAsLong();
        long peak = lagAtCheckpoint;
        long current = lagAtCheckpoint;
        long deadline = System.nanoTime() + wait.toNanos();
        while (current > bound && System.nanoTime() < deadline) {
            Thread.sleep(500);
            current = lag.getAsLong();
            peak = Math.max(peak, current);
        }
        if (current > bound) {
            throw new AssertionError("committed lag after " + what + " still " + current + " (bound " + bound + ") after " + wait);
        }
        return new Recovery(recover, (System.nanoTime() - faultEndNanos) / 1e9, lagAtCheckpoint, peak);
    }

    static void await(String what, BooleanSupplier condition, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + wait + " waiting for " + what);
            }
            Thread.sleep(500);
        }
    }
}
