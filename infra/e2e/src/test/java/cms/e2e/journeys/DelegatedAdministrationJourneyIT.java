package cms.e2e.journeys;

import cms.avro.DeadLetter;
import cms.avro.DeadLetterReason;
import cms.registry.SchemaRegistryClient;
import cms.wire.AvroDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Delegated administration by users, end to end on the packaged job and API (cms.infra.RunningSystem):
 * the platform's first admin onboards a distributor and its admin user; that distributor admin
 * onboards a partner and the partner's admin; the partner admin onboards a tenant, its admin and
 * its subscriptions; the tenant admin creates a viewer (who reads and may not write), suspends one
 * of its subscriptions and sees the suspension in its usage: new usage of that subscription is
 * dead-lettered INACTIVE_SUBSCRIPTION, the other one's is rated. Finally the distributor's audit
 * trail shows every step, newest first, each with the user who made it, and the tenant's trail
 * only its own part. Every step is an HTTP call with the acting user's own token.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DelegatedAdministrationJourneyIT {
    private JourneySystem run;
    private Api api;
    private String r;
    private boolean failed = true;

    @BeforeAll
    void startTheSystem() throws Exception {
        r = Long.toString(new Random().nextLong() & 0x7fffffffffL, 36);
        r = "u" + r.substring(Math.max(0, r.length() - 6));
        run = JourneySystem.start(r, "7d");
        api = run.api;
        System.out.printf("[e2e] users journey %s: %s%n", r, JourneySystem.describe(run));
    }

    @AfterAll
    void stop() {
        if (failed && run != null) {
            System.out.println("[e2e] the users journey failed; the processes' logs end with:\n" + run.logTails(60));
        }
        if (run != null) {
            run.close(!failed);
        }
    }

    @Test
    void eachLayerAdministersTheNextAndTheAuditTrailNamesEveryStep() throws Exception {
        String d = "sp-" + r, p = d + "-p", t = p + "-t", s1 = t + "-s1", s2 = t + "-s2", book = "book-" + r;
        String dAdmin = d + "-admin", pAdmin = p + "-admin", tAdmin = t + "-admin", tViewer = t + "-viewer";
        Instant from = Instant.now().truncatedTo(ChronoUnit.DAYS).minus(Duration.ofDays(1));
        Map<String, String> tokens = run.tokens(List.of("admin", dAdmin, pAdmin, tAdmin, tViewer));

        // the platform: a book, the default plan if the stack has none, a distributor and its admin
        String admin = tokens.get("admin");
        api.put(admin, "/v1/price-books/" + book, Api.obj("currency", "USD", "effectiveFrom", from, "rates", List.of(
                Api.obj("meterId", "compute.vcpu.hours", "model", "PER_UNIT", "tiers", List.of(Api.obj("unitPrice", "0.05"))))))
                .requireStatus(201);
        if (api.get(admin, "/v1/commission-plans/default").status() == 404) {
            Map<String, Object> flat = Api.obj("model", "FLAT", "tiers", List.of(Api.obj("rate", "0.1")));
            api.put(admin, "/v1/commission-plans/default", Api.obj("owner", "PLATFORM", "effectiveFrom", from,
                    "partnerShare", flat, "distributorShare", flat)).requireStatus(201);
        }
        api.put(admin, "/v1/distributors/" + d, Api.obj("name", "Distributor", "effectiveFrom", from)).requireStatus(201);
        api.put(admin, "/v1/users/" + dAdmin, user("distributor", d, "admin")).requireStatus(201);

        // the distributor admin: a partner and its admin
        String dToken = tokens.get(dAdmin);
        api.put(dToken, "/v1/partners/" + p, Api.obj("name", "Partner", "distributorId", d, "effectiveFrom", from)).requireStatus(201);
        api.put(dToken, "/v1/users/" + pAdmin, user("partner", p, "admin")).requireStatus(201);

        // the partner admin: a tenant, its admin, its subscriptions
        String pToken = tokens.get(pAdmin);
        api.put(pToken, "/v1/tenants/" + t, Api.obj("name", "Tenant", "partnerId", p, "effectiveFrom", from)).requireStatus(201);
        api.put(pToken, "/v1/users/" + tAdmin, user("tenant", t, "admin")).requireStatus(201);
        for (String s : List.of(s1, s2)) {
            api.put(pToken, "/v1/subscriptions/" + s, Api.obj("name", "Subscription", "tenantId", t, "priceBookId", book,
                    "effectiveFrom", from)).requireStatus(201);
        }

        // the tenant admin: a viewer, who reads but never writes
        String tToken = tokens.get(tAdmin);
        api.put(tToken, "/v1/users/" + tViewer, user("tenant", t, "viewer")).requireStatus(201);
        String vToken = tokens.get(tViewer);
        assertThat(api.get(vToken, "/v1/me").requireStatus(200).json().get("role").asText()).isEqualTo("viewer");
        api.get(vToken, "/v1/subscriptions/" + s1).requireStatus(200);
        api.put(vToken, "/v1/subscriptions/" + s1, subscription(t, book, "SUSPENDED", from)).requireStatus(403);
        api.get(tToken, "/v1/partners/" + p).requireStatus(404); // above the tenant

        // ... suspends s1 from now; may not move s2 to another book, nor create a subscription
        Instant suspendedFrom = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        api.put(tToken, "/v1/subscriptions/" + s1, subscription(t, book, "SUSPENDED", suspendedFrom)).requireStatus(200);
        api.put(tToken, "/v1/subscriptions/" + s2, Api.obj("name", "Renamed by the tenant", "tenantId", t, "priceBookId", "other",
                "effectiveFrom", from)).requireStatus(403);
        api.put(tToken, "/v1/subscriptions/" + t + "-s3", subscription(t, book, "ACTIVE", from)).requireStatus(403);
        JsonNode suspended = api.get(vToken, "/v1/subscriptions/" + s1).requireStatus(200).json();
        assertThat(suspended.get("versions").get(1).get("status").asText()).isEqualTo("SUSPENDED");

        // the tenant's usage after the suspension: s1's is dead-lettered INACTIVE_SUBSCRIPTION, s2's is rated
        PythonProducer producer = new PythonProducer(run.stack.kafkaBootstrap(), run.stack.registryUrl(), run.usageTopic);
        Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
        DeadLetter inactive = null;
        int sent = 0;
        try (DeadLetters deadLetters = new DeadLetters()) {
            while (inactive == null && Instant.now().isBefore(deadline)) {
                // one event at a time: the job learns of the suspension from the hierarchy topic, a moment after the PUT
                String id = r + "-e" + sent++;
                producer.produce(List.of(Usage.of(id, s1, "compute.vcpu.hours", "1.5", Instant.now(), null),
                        Usage.of(id + "-ok", s2, "compute.vcpu.hours", "2", Instant.now(), null)));
                inactive = deadLetters.await(id, Duration.ofSeconds(10));
            }
        }
        assertThat(inactive).as("usage of the suspended subscription dead-lettered within 90 s").isNotNull();
        assertThat(inactive.getReason()).isEqualTo(DeadLetterReason.INACTIVE_SUBSCRIPTION);
        assertThat(inactive.getDetail()).contains(s1).contains("SUSPENDED");
        JsonNode month = api.get(tToken, "/v1/usage/subscription/" + s2 + Api.query("from", Instant.now().truncatedTo(ChronoUnit.DAYS)
                .minus(Duration.ofDays(40)), "to", Instant.now().plus(Duration.ofDays(40)), "granularity", "MONTH")).requireStatus(200).json();
        System.out.printf("[e2e] users journey: %d attempt(s) until s1's usage was dead-lettered; s2's windows %s%n", sent,
                month.get("windows"));

        // the distributor's audit trail: every step, newest first, each with its user
        JsonNode trail = api.get(dToken, "/v1/audit" + Api.query("node", "distributor/" + d, "limit", 50)).requireStatus(200).json();
        List<String> steps = new ArrayList<>();
        Instant previous = Instant.MAX;
        for (JsonNode rec : trail.get("records")) {
            Instant at = Instant.parse(rec.get("at").asText());
            assertThat(at).as("newest first").isBeforeOrEqualTo(previous);
            previous = at;
            steps.add(0, rec.get("user").asText() + " " + rec.get("method").asText() + " " + rec.get("path").asText());
        }
        assertThat(steps).containsExactly(
                "admin PUT /v1/distributors/" + d,
                "admin PUT /v1/users/" + dAdmin,
                dAdmin + " PUT /v1/partners/" + p,
                dAdmin + " PUT /v1/users/" + pAdmin,
                pAdmin + " PUT /v1/tenants/" + t,
                pAdmin + " PUT /v1/users/" + tAdmin,
                pAdmin + " PUT /v1/subscriptions/" + s1,
                pAdmin + " PUT /v1/subscriptions/" + s2,
                tAdmin + " PUT /v1/users/" + tViewer,
                tAdmin + " PUT /v1/subscriptions/" + s1);
        JsonNode newest = trail.get("records").get(0);
        assertThat(Api.JSON.readTree(newest.get("body").asText()).get("status").asText()).isEqualTo("SUSPENDED");
        assertThat(newest.get("version").get("topic").asText()).isEqualTo("cms.hierarchy.v1");
        assertThat(newest.get("node").asText()).isEqualTo("subscription/" + s1);

        // paged: two records at a time, the same order
        JsonNode page1 = api.get(dToken, "/v1/audit" + Api.query("node", "distributor/" + d, "limit", 2)).requireStatus(200).json();
        JsonNode page2 = api.get(dToken, "/v1/audit" + Api.query("node", "distributor/" + d, "limit", 2,
                "before", page1.get("next").asText())).requireStatus(200).json();
        assertThat(page2.get("records").get(0).get("id")).isEqualTo(trail.get("records").get(2).get("id"));

        // the tenant reads its own part of the trail, and nothing above it
        JsonNode tenantTrail = api.get(tToken, "/v1/audit" + Api.query("node", "tenant/" + t)).requireStatus(200).json();
        assertThat(tenantTrail.get("records")).hasSize(6); // its tenant, its admin, two subscriptions, its viewer, the suspension
        api.get(tToken, "/v1/audit" + Api.query("node", "distributor/" + d)).requireStatus(404);
        failed = false;
    }

    private static Map<String, Object> user(String level, String orgId, String role) {
        return Api.obj("level", level, "orgId", orgId, "role", role, "name", role + " of " + orgId, "email", orgId + "@example.com");
    }

    private static Map<String, Object> subscription(String tenant, String book, String status, Instant from) {
        return Api.obj("name", "Subscription", "tenantId", tenant, "priceBookId", book, "status", status, "effectiveFrom", from);
    }

    /** The run's dead-letter topic, read from its start. */
    private final class DeadLetters implements AutoCloseable {
        private final KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, run.stack.kafkaBootstrap(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new StringDeserializer(), new ByteArrayDeserializer());
        private final AvroDeserializer<DeadLetter> decode = new AvroDeserializer<>(
                new SchemaRegistryClient(SchemaRegistryClient.Config.of(run.stack.registryUrl())), DeadLetter.class);

        DeadLetters() {
            TopicPartition tp = new TopicPartition(run.deadLetterTopic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
        }

        /** The dead letter of this event, or null if none came within the wait. */
        DeadLetter await(String eventId, Duration wait) {
            Instant until = Instant.now().plus(wait);
            while (Instant.now().isBefore(until)) {
                for (ConsumerRecord<String, byte[]> rec : consumer.poll(Duration.ofMillis(500))) {
                    DeadLetter dl = decode.deserialize(rec.value());
                    if (eventId.equals(dl.getEventId())) {
                        return dl;
                    }
                }
            }
            return null;
        }

        @Override
        public void close() {
            consumer.close();
        }
    }
}
