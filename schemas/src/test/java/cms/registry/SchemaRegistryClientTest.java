package cms.registry;

import com.sun.net.httpserver.HttpServer;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The client's retry and error policy, against a scripted HTTP server that answers with the status
 * codes a registry can give. Talking to a real registry is RegistryRoundTripIT's job.
 */
class SchemaRegistryClientTest {
    private static final String SCHEMA = "{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":\"int\"}]}";

    private HttpServer server;
    private final Deque<int[]> statuses = new ArrayDeque<>();
    private final Deque<String> bodies = new ArrayDeque<>();
    private final AtomicInteger requests = new AtomicInteger();

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    private SchemaRegistryClient scripted(int maxAttempts) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            int status = statuses.isEmpty() ? 500 : statuses.poll()[0];
            byte[] body = (bodies.isEmpty() ? "{}" : bodies.poll()).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/vnd.schemaregistry.v1+json");
            exchange.sendResponseHeaders(status, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/apis/ccompat/v7";
        // a generous timeout: on a loaded 2-core machine a connection to this in-process server once took over 2 s
        return new SchemaRegistryClient(new SchemaRegistryClient.Config(url, Duration.ofSeconds(15), maxAttempts,
                Duration.ofMillis(10), Duration.ofMillis(40)));
    }

    private void answer(int status, String body) {
        statuses.add(new int[] {status});
        bodies.add(body);
    }

    @Test
    void retriesTransientFailuresThenSucceeds() throws IOException {
        SchemaRegistryClient client = scripted(5);
        answer(503, "{\"error_code\":50003,\"message\":\"busy\"}");
        answer(429, "{}");
        answer(200, "{\"schema\":" + quote(SCHEMA) + "}");

        Schema schema = client.schemaById(11);

        assertThat(schema.getName()).isEqualTo("R");
        assertThat(requests).hasValue(3);
    }

    @Test
    void cachesSchemasById() throws IOException {
        SchemaRegistryClient client = scripted(1);
        answer(200, "{\"schema\":" + quote(SCHEMA) + "}");
        Schema first = client.schemaById(11);
        Schema again = client.schemaById(11);
        assertThat(again).isSameAs(first);
        assertThat(requests).hasValue(1);
    }

    @Test
    void cachesRegistrations() throws IOException {
        SchemaRegistryClient client = scripted(1);
        answer(200, "{\"id\":5}");
        Schema schema = new Schema.Parser().parse(SCHEMA);
        assertThat(client.register("t-value", schema)).isEqualTo(5);
        assertThat(client.register("t-value", schema)).isEqualTo(5);
        assertThat(client.schemaById(5)).isEqualTo(schema); // known from the registration, no request
        assertThat(requests).hasValue(1);
    }

    @Test
    void givesUpAfterTheLastAttemptWithAClearMessage() throws IOException {
        SchemaRegistryClient client = scripted(3);
        answer(500, "{\"message\":\"down\"}");
        answer(502, "bad gateway");
        answer(503, "{\"message\":\"still down\"}");

        assertThatThrownBy(() -> client.schemaById(11))
                .isInstanceOf(SchemaRegistryUnavailableException.class)
                .hasMessageContaining("could not fetch schema id 11 after 3 attempts")
                .hasMessageContaining("HTTP 503");
        assertThat(requests).hasValue(3);
    }

    @Test
    void aDefiniteNoIsNotRetried() throws IOException {
        SchemaRegistryClient client = scripted(5);
        answer(404, "{\"error_code\":40403,\"message\":\"Schema not found\"}");

        assertThatThrownBy(() -> client.schemaById(99))
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                    assertThat(e.isNotFound()).isTrue();
                    assertThat(e.errorCode()).isEqualTo(40403);
                })
                .hasMessageContaining("fetch schema id 99")
                .hasMessageContaining("Schema not found");
        assertThat(requests).hasValue(1);
    }

    @Test
    void incompatibleRegistrationIsReported() throws IOException {
        SchemaRegistryClient client = scripted(5);
        answer(409, "{\"error_code\":409,\"message\":\"Schema being registered is incompatible\"}");
        assertThatThrownBy(() -> client.register("t-value", new Schema.Parser().parse(SCHEMA)))
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.isIncompatible()).isTrue())
                .hasMessageContaining("subject t-value");
    }

    @Test
    void nobodyListeningIsUnavailable() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // closed again: nothing listens there now
        }
        SchemaRegistryClient client = new SchemaRegistryClient(new SchemaRegistryClient.Config(
                "http://127.0.0.1:" + port, Duration.ofSeconds(1), 2, Duration.ofMillis(10), Duration.ofMillis(10)));
        assertThatThrownBy(() -> client.schemaById(1))
                .isInstanceOf(SchemaRegistryUnavailableException.class)
                .hasMessageContaining("127.0.0.1:" + port)
                .hasMessageContaining("after 2 attempts");
    }

    @Test
    void configRejectsNonsense() {
        assertThatThrownBy(() -> SchemaRegistryClient.Config.of("localhost:8085"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("http(s)://");
        assertThatThrownBy(() -> new SchemaRegistryClient.Config("http://x", Duration.ofSeconds(1), 0, Duration.ZERO, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxAttempts");
        assertThat(SchemaRegistryClient.Config.of("http://x/apis/ccompat/v7/").baseUrl()).isEqualTo("http://x/apis/ccompat/v7");
    }

    private static String quote(String s) {
        return "\"" + s.replace("\"", "\\\"") + "\"";
    }
}
