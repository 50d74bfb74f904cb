package cms.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.Serializable;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A client of the Confluent Schema Registry REST API (Confluent's own registry, Apicurio's ccompat
 * API, Karapace): registers, looks up and fetches Avro schemas, and caches what it learned, since a
 * schema id never changes meaning. Transient failures (I/O, 5xx, 408, 429) are retried with
 * exponential backoff; after the last attempt they surface as
 * {@link SchemaRegistryUnavailableException}. Definite refusals surface at once as
 * {@link SchemaRegistryException}. Thread-safe.
 */
public final class SchemaRegistryClient {
    private static final Logger LOG = LoggerFactory.getLogger(SchemaRegistryClient.class);
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** How to reach the registry; serializable so stream jobs can ship it to their tasks. */
    public record Config(String baseUrl, Duration requestTimeout, int maxAttempts, Duration initialBackoff,
                         Duration maxBackoff) implements Serializable {
        public Config {
            Objects.requireNonNull(baseUrl, "baseUrl");
            URI uri = URI.create(baseUrl);
            if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
                throw new IllegalArgumentException("registry url must be http(s)://..., was '" + baseUrl + "'");
            }
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be >= 1, was " + maxAttempts);
            }
            baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        }

        /** Defaults: 5 s per request, 6 attempts, backoff 100 ms doubling to 2 s (about 5 s of retrying). */
        public static Config of(String baseUrl) {
            return new Config(baseUrl, Duration.ofSeconds(5), 6, Duration.ofMillis(100), Duration.ofSeconds(2));
        }
    }

    /** A subject's version as the registry holds it. */
    public record Registered(String subject, int version, int id, Schema schema) {}

    private record SubjectSchema(String subject, String schema) {}

    private final Config config;
    private final HttpClient http;
    private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();
    private final Map<SubjectSchema, Integer> idsBySubjectSchema = new ConcurrentHashMap<>();

    public SchemaRegistryClient(Config config) {
        this.config = config;
        this.http = HttpClient.newBuilder().connectTimeout(config.requestTimeout()).build();
    }

    public Config config() {
        return config;
    }

    /** Registers {@code schema} under {@code subject} (or finds it registered already) and returns its id. */
    public int register(String subject, Schema schema) {
        SubjectSchema key = new SubjectSchema(subject, schema.toString());
        Integer cached = idsBySubjectSchema.get(key);
        if (cached != null) {
            return cached;
        }
        JsonNode reply = send("POST", "/subjects/" + encode(subject) + "/versions", schemaBody(schema),
                "register a schema under subject " + subject);
        int id = requiredInt(reply, "id");
        idsBySubjectSchema.put(key, id);
        schemasById.putIfAbsent(id, schema);
        return id;
    }

    /** The id of {@code schema} if it is registered under {@code subject}; a 404 SchemaRegistryException if not. */
    public int lookup(String subject, Schema schema) {
        SubjectSchema key = new SubjectSchema(subject, schema.toString());
        Integer cached = idsBySubjectSchema.get(key);
        if (cached != null) {
            return cached;
        }
        JsonNode reply = send("POST", "/subjects/" + encode(subject), schemaBody(schema),
                "look up a schema under subject " + subject);
        int id = requiredInt(reply, "id");
        idsBySubjectSchema.put(key, id);
        schemasById.putIfAbsent(id, schema);
        return id;
    }

    /** The schema with this id; a 404 SchemaRegistryException if the registry has none. */
    public Schema schemaById(int id) {
        Schema cached = schemasById.get(id);
        if (cached != null) {
            return cached;
        }
        JsonNode reply = send("GET", "/schemas/ids/" + id, null, "fetch schema id " + id);
        String type = reply.path("schemaType").asText("AVRO");
        if (!"AVRO".equals(type)) {
            throw new SchemaRegistryException("schema id " + id + " is " + type + ", not AVRO", 200, -1);
        }
        Schema schema = parse(requiredText(reply, "schema"), "schema id " + id);
        schemasById.put(id, schema);
        return schema;
    }

    /** The newest version under {@code subject}. */
    public Registered latest(String subject) {
        JsonNode reply = send("GET", "/subjects/" + encode(subject) + "/versions/latest", null,
                "fetch the latest version of subject " + subject);
        int id = requiredInt(reply, "id");
        Schema schema = parse(requiredText(reply, "schema"), "subject " + subject);
        schemasById.putIfAbsent(id, schema);
        return new Registered(subject, requiredInt(reply, "version"), id, schema);
    }

    /** Sets the subject's compatibility level (BACKWARD, FORWARD, FULL, NONE, and the _TRANSITIVE forms). */
    public void setCompatibility(String subject, String level) {
        ObjectNode body = JSON.createObjectNode().put("compatibility", level);
        send("PUT", "/config/" + encode(subject), body.toString(), "set compatibility of subject " + subject);
    }

    private JsonNode send(String method, String path, String body, String what) {
        URI uri = URI.create(config.baseUrl() + path);
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri)
                .timeout(config.requestTimeout())
                .header("Accept", CONTENT_TYPE + ", application/json");
        if (body != null) {
            builder.header("Content-Type", CONTENT_TYPE);
            builder.method(method, HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        } else {
            builder.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpRequest request = builder.build();

        long backoff = config.initialBackoff().toMillis();
        Exception last = null;
        for (int attempt = 1; attempt <= config.maxAttempts(); attempt++) {
            if (attempt > 1) {
                sleep(backoff, what);
                backoff = Math.min(backoff * 2, config.maxBackoff().toMillis());
            }
            try {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                int status = response.statusCode();
                if (status >= 200 && status < 300) {
                    return readJson(response.body(), what);
                }
                if (status >= 500 || status == 408 || status == 429) {
                    last = new IOException("HTTP " + status + ": " + abbreviate(response.body()));
                    LOG.debug("registry {} {} answered {}, attempt {}/{}", method, uri, status, attempt, config.maxAttempts());
                    continue;
                }
                throw refusal(status, response.body(), what);
            } catch (IOException e) {
                last = e;
                LOG.debug("registry {} {} failed, attempt {}/{}: {}", method, uri, attempt, config.maxAttempts(), e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SchemaRegistryUnavailableException("interrupted while trying to " + what, e);
            }
        }
        throw new SchemaRegistryUnavailableException("schema registry at " + config.baseUrl() + " unavailable: could not "
                + what + " after " + config.maxAttempts() + " attempts; last error: " + last, last);
    }

    private static SchemaRegistryException refusal(int status, String body, String what) {
        int code = -1;
        String message = abbreviate(body);
        try {
            JsonNode node = JSON.readTree(body);
            code = node.path("error_code").asInt(-1);
            message = node.path("message").asText(message);
        } catch (IOException | RuntimeException notJson) {
            // keep the raw body as the message
        }
        return new SchemaRegistryException("schema registry refused to " + what + ": HTTP " + status
                + (code >= 0 ? " error_code " + code : "") + ": " + message, status, code);
    }

    private static JsonNode readJson(String body, String what) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new SchemaRegistryException("schema registry answered non-JSON to " + what + ": " + abbreviate(body), 200, -1);
        }
    }

    private static String schemaBody(Schema schema) {
        return JSON.createObjectNode().put("schemaType", "AVRO").put("schema", schema.toString()).toString();
    }

    private static Schema parse(String json, String what) {
        try {
            return new Schema.Parser().parse(json);
        } catch (SchemaParseException e) {
            throw new SchemaRegistryException("registry returned an unparseable Avro schema for " + what + ": " + e.getMessage(), 200, -1);
        }
    }

    private static int requiredInt(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || !v.canConvertToInt()) {
            throw new SchemaRegistryException("registry reply lacks integer field '" + field + "': " + abbreviate(node.toString()), 200, -1);
        }
        return v.asInt();
    }

    private static String requiredText(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || !v.isTextual()) {
            throw new SchemaRegistryException("registry reply lacks text field '" + field + "': " + abbreviate(node.toString()), 200, -1);
        }
        return v.asText();
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String abbreviate(String s) {
        if (s == null) {
            return "";
        }
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }

    private static void sleep(long millis, String what) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchemaRegistryUnavailableException("interrupted while trying to " + what, e);
        }
    }
}
