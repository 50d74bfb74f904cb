package cms.e2e.journeys;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** The API as any HTTP client sees it: bearer tokens, JSON bodies, status codes. Nothing of the API's code. */
final class Api {
    static final ObjectMapper JSON = new ObjectMapper();

    /** One answer: status, raw body, and the body parsed (MissingNode when it is not JSON). */
    record Answer(String method, String path, int status, String body, JsonNode json) {
        Answer requireStatus(int expected) {
            if (status != expected) {
                throw new AssertionError(method + " " + path + " answered " + status + " (expected " + expected + "): " + body);
            }
            return this;
        }

        @Override
        public String toString() {
            return method + " " + path + " -> " + status + " " + body;
        }
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;

    Api(String base) {
        this.base = base;
    }

    Answer get(String token, String path) {
        return send("GET", token, path, null);
    }

    Answer put(String token, String path, Object body) {
        return send("PUT", token, path, body);
    }

    private Answer send(String method, String token, String path, Object body) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                    .header("Accept", "application/json");
            if (token != null) {
                b.header("Authorization", "Bearer " + token);
            }
            if (body != null) {
                b.header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
            } else {
                b.method(method, HttpRequest.BodyPublishers.noBody());
            }
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode json;
            try {
                json = r.body().isBlank() ? MissingNode.getInstance() : JSON.readTree(r.body());
            } catch (IOException notJson) {
                json = MissingNode.getInstance();
            }
            return new Answer(method, path, r.statusCode(), r.body(), json);
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during " + method + " " + path, e);
        }
    }

    /** A query string from pairs, values URL-encoded (instants as ISO-8601). */
    static String query(Object... kv) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < kv.length; i += 2) {
            sb.append(i == 0 ? '?' : '&').append(kv[i]).append('=')
                    .append(URLEncoder.encode(String.valueOf(kv[i + 1]), StandardCharsets.UTF_8));
        }
        return sb.toString();
    }

    /** An insertion-ordered JSON object from pairs; Instants become ISO-8601 strings. */
    static Map<String, Object> obj(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            Object v = kv[i + 1];
            m.put((String) kv[i], v instanceof Instant ? v.toString() : v);
        }
        return m;
    }
}
