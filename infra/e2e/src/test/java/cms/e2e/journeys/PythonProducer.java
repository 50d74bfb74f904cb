package cms.e2e.journeys;

import cms.stack.LocalStackAddresses;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Sends usage with Confluent's own Python client (src/test/python/produce_usage.py, run by Debian's
 * /usr/bin/python3 with python3-confluent-kafka and python3-avro): a producer nobody on the project
 * wrote, writing the Confluent wire format with the schema it registers itself.
 */
final class PythonProducer {
    private static final Path ROOT = LocalStackAddresses.projectRoot();
    static final Path SCRIPT = ROOT.resolve("infra/e2e/src/test/python/produce_usage.py");
    static final Path SCHEMA = ROOT.resolve("schemas/src/main/avro/common/UsageEvent.avsc");

    /** What the script reported: every record acknowledged, how they spread over partitions, and how long it took. */
    record Report(int delivered, JsonNode partitions, Duration elapsed, JsonNode raw) {}

    private final String bootstrap;
    private final String registry;
    private final String topic;

    PythonProducer(String bootstrap, String registry, String topic) {
        this.bootstrap = bootstrap;
        this.registry = registry;
        this.topic = topic;
    }

    /** Produces the events in order and waits until every one is acknowledged; fails otherwise. */
    Report produce(List<Usage> events) throws IOException, InterruptedException {
        if (!Files.isExecutable(Path.of("/usr/bin/python3"))) {
            throw new IllegalStateException("/usr/bin/python3 is missing: run infra/bin/install-python-clients");
        }
        Process p = new ProcessBuilder("/usr/bin/python3", SCRIPT.toString(), "--bootstrap", bootstrap, "--registry", registry,
                "--topic", topic, "--schema", SCHEMA.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        try (OutputStream in = p.getOutputStream()) {
            for (Usage u : events) {
                in.write(Api.JSON.writeValueAsBytes(u.jsonLine()));
                in.write('\n');
            }
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the Python producer did not finish within 120 s");
        }
        if (p.exitValue() != 0) {
            throw new AssertionError("the Python producer failed with exit code " + p.exitValue() + ": " + out);
        }
        JsonNode report = Api.JSON.readTree(out.substring(out.lastIndexOf('\n') + 1));
        if (report.get("delivered").asInt() != events.size()) {
            throw new AssertionError("the Python producer delivered " + report.get("delivered") + " of " + events.size() + ": " + out);
        }
        return new Report(report.get("delivered").asInt(), report.get("partitions"),
                Duration.ofMillis(report.get("elapsedMs").asLong()), report);
    }
}
