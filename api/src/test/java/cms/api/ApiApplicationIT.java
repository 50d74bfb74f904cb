package cms.api;

import cms.api.auth.Caller;
import cms.api.auth.Role;
import cms.avro.CommissionPlan;
import cms.avro.HierarchyChange;
import cms.avro.NodeLevel;
import cms.avro.PriceBookVersion;
import cms.registry.SchemaRegistryClient;
import cms.stack.LocalStackAddresses;
import cms.topics.Topics;
import cms.topics.VersionKeys;
import cms.wire.AvroDeserializer;
import com.datastax.oss.driver.api.core.CqlSession;
import io.dropwizard.testing.DropwizardTestSupport;
import io.dropwizard.testing.ResourceHelpers;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.client.WebTarget;
import jakarta.ws.rs.core.Response;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole application on the real Kafka, registry and Cassandra of the local stack
 * (infra/bin/stack up; addresses from the CMS_* environment variables).
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class ApiApplicationIT {
    private static final String CONFIG = ResourceHelpers.resourceFilePath("it-config.yml");
    static final DropwizardAppExtension<ApiConfiguration> APP = new DropwizardAppExtension<>(ApiApplication.class, CONFIG);

    private static final LocalStackAddresses STACK = LocalStackAddresses.fromEnvironment();
    /** A fresh prefix per run, so runs against the same stack never meet. */
    private static final String RUN = "it" + ThreadLocalRandom.current().nextInt(1_000_000, 10_000_000);
    private static final String FROM = "2026-01-01T00:00:00Z";
    private static CqlSession cql;

    @BeforeAll
    static void connect() {
        cql = CqlSession.builder()
                .addContactPoint(new InetSocketAddress(STACK.host(), STACK.cassandraPort()))
                .withLocalDatacenter(LocalStackAddresses.CASSANDRA_DATACENTER)
                .withKeyspace(STACK.keyspace())
                .build();
    }

    @AfterAll
    static void close() {
        if (cql != null) {
            cql.close();
        }
    }

    /** The configured first platform admin: the only user a fresh system has. */
    private static final Caller FIRST_ADMIN = new Caller("admin", Role.PLATFORM_ADMIN, null, true);
    private static final java.util.Set<String> USERS = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** An admin of the node; the user is written (by the first admin, through the API) before its first token. */
    private static Caller adminOf(Role role, String org) {
        return new Caller(org + "-admin", role, org, true);
    }

    private static String token(Caller caller) {
        ApiConfiguration.Auth auth = APP.getConfiguration().getAuth();
        if (!caller.equals(FIRST_ADMIN) && USERS.add(caller.user())) {
            Map<String, Object> user = new HashMap<>(Map.of("level", caller.role().claim(), "orgId", caller.org(), "role", "admin"));
            Response r = target("/v1/users/" + caller.user()).request()
                    .header("Authorization", "Bearer " + auth.localIssuer().mint(FIRST_ADMIN.user(), Duration.ofMinutes(10)))
                    .put(Entity.json(user));
            expect(r, 201);
        }
        return "Bearer " + auth.localIssuer().mint(caller.user(), Duration.ofMinutes(10));
    }

    private static WebTarget target(String path) {
        // a read timeout well above a PUT's on a loaded 2-core machine: the client would otherwise retry the PUT,
        // and the retry answers 200 for what the first attempt created
        return APP.client().target("http://127.0.0.1:" + APP.getLocalPort()).path(path)
                .property(org.glassfish.jersey.client.ClientProperties.READ_TIMEOUT, 30_000);
    }

    private static Response put(String path, Caller caller, Map<String, Object> body) {
        return target(path).request().header("Authorization", token(caller)).put(Entity.json(body));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> getJson(WebTarget target, Caller caller, int expectedStatus) {
        Response r = target.request().header("Authorization", token(caller)).get();
        String body = r.readEntity(String.class);
        assertThat(r.getStatus()).as(body).isEqualTo(expectedStatus);
        try {
            return APP.getObjectMapper().readValue(body, Map.class);
        } catch (Exception e) {
            throw new AssertionError(body, e);
        }
    }

    private static Map<String, Object> body(Object... kv) {
        Map<String, Object> m = new HashMap<>();
        m.put("effectiveFrom", FROM);
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    private static void expect(Response r, int status) {
        String body = r.readEntity(String.class);
        assertThat(r.getStatus()).as(body).isEqualTo(status);
    }

    /** Creates d, p, t, s (and a price book) under the run's prefix; returns their ids. */
    private static String[] onboard(String tag) {
        String d = RUN + tag + "d", p = RUN + tag + "p", t = RUN + tag + "t", s = RUN + tag + "s", pb = RUN + tag + "pb";
        Caller admin = FIRST_ADMIN;
        expect(put("/v1/price-books/" + pb, admin, body("currency", "EUR", "rates", List.of(Map.of(
                "meterId", "compute.vcpu.hours", "model", "GRADUATED",
                "tiers", List.of(Map.of("upTo", "100", "unitPrice", "0.05"), Map.of("unitPrice", "0.04")))))), 201);
        expect(put("/v1/distributors/" + d, admin, body("name", "Distributor " + tag)), 201);
        expect(put("/v1/partners/" + p, adminOf(Role.DISTRIBUTOR, d), body("distributorId", d)), 201);
        expect(put("/v1/tenants/" + t, adminOf(Role.PARTNER, p), body("partnerId", p)), 201);
        expect(put("/v1/subscriptions/" + s, adminOf(Role.PARTNER, p), body("tenantId", t, "priceBookId", pb)), 201);
        return new String[] {d, p, t, s, pb};
    }

    @Test
    void onboardingAppearsOnTheTopicsAsAvroThePipelineDecodes() {
        String[] ids = onboard("o");
        String d = ids[0], p = ids[1], t = ids[2], s = ids[3], pb = ids[4];
        String plan = RUN + "o-plan";
        expect(put("/v1/commission-plans/" + plan, adminOf(Role.PARTNER, p), body("partnerShare",
                Map.of("model", "GRADUATED", "tiers", List.of(Map.of("upTo", "1000", "rate", "0.1"), Map.of("rate", "0.125"))))), 201);
        expect(put("/v1/partners/" + p + "/commission-plan", adminOf(Role.PARTNER, p), body("planId", plan)), 200);

        SchemaRegistryClient registry = new SchemaRegistryClient(SchemaRegistryClient.Config.of(STACK.registryUrl()));
        Map<String, HierarchyChange> hierarchy = new HashMap<>();
        Map<String, PriceBookVersion> books = new HashMap<>();
        Map<String, CommissionPlan> plans = new HashMap<>();
        AvroDeserializer<HierarchyChange> h = new AvroDeserializer<>(registry, HierarchyChange.class);
        AvroDeserializer<PriceBookVersion> b = new AvroDeserializer<>(registry, PriceBookVersion.class);
        AvroDeserializer<CommissionPlan> c = new AvroDeserializer<>(registry, CommissionPlan.class);
        // every PUT answered after Kafka acknowledged it, so reading to the current end finds them all
        for (ConsumerRecord<String, byte[]> r : records(Topics.HIERARCHY)) {
            if (r.key().contains("/" + RUN + "o")) {
                HierarchyChange v = h.deserialize(r.value());
                assertThat(r.key()).isEqualTo(VersionKeys.hierarchy(v));
                hierarchy.put(v.getLevel() + "/" + v.getId(), v); // later offsets win, as compaction has it
            }
        }
        for (ConsumerRecord<String, byte[]> r : records(Topics.PRICE_BOOKS)) {
            if (r.key().startsWith(RUN + "o")) {
                PriceBookVersion v = b.deserialize(r.value());
                assertThat(r.key()).isEqualTo(VersionKeys.priceBook(v));
                books.put(v.getPriceBookId(), v);
            }
        }
        for (ConsumerRecord<String, byte[]> r : records(Topics.COMMISSION_PLANS)) {
            if (r.key().startsWith(RUN + "o")) {
                CommissionPlan v = c.deserialize(r.value());
                assertThat(r.key()).isEqualTo(VersionKeys.commissionPlan(v));
                plans.put(v.getPlanId(), v);
            }
        }
        assertThat(hierarchy).containsOnlyKeys("DISTRIBUTOR/" + d, "PARTNER/" + p, "TENANT/" + t, "SUBSCRIPTION/" + s);
        assertThat(hierarchy.get("PARTNER/" + p).getParentId()).isEqualTo(d);
        // the assignment is the partner's latest version (same effectiveFrom, so it replaced the first on the key)
        assertThat(hierarchy.get("PARTNER/" + p).getCommissionPlanId()).isEqualTo(plan);
        assertThat(hierarchy.get("TENANT/" + t).getParentId()).isEqualTo(p);
        HierarchyChange sub = hierarchy.get("SUBSCRIPTION/" + s);
        assertThat(sub.getLevel()).isEqualTo(NodeLevel.SUBSCRIPTION);
        assertThat(sub.getParentId()).isEqualTo(t);
        assertThat(sub.getPriceBookId()).isEqualTo(pb);
        assertThat(sub.getEffectiveFrom()).isEqualTo(Instant.parse(FROM));
        assertThat(sub.getRecordedBy()).isEqualTo(adminOf(Role.PARTNER, p).user()); // the user who wrote it
        PriceBookVersion book = books.get(pb);
        assertThat(book.getCurrency()).isEqualTo("EUR");
        assertThat(book.getRates().get(0).getTiers()).hasSize(2);
        assertThat(book.getRates().get(0).getTiers().get(0).getUpTo()).isEqualByComparingTo("100");
        assertThat(book.getRates().get(0).getTiers().get(1).getUnitPrice()).isEqualByComparingTo("0.04");
        CommissionPlan written = plans.get(plan);
        assertThat(written.getOwnerId()).isEqualTo(p);
        assertThat(written.getPartnerShare().getTiers().get(1).getRate()).isEqualByComparingTo("0.125");
        assertThat(written.getDistributorShare()).isNull();
    }

    /** Every record of a (single-partition) topic from the beginning to its current end. */
    private static List<ConsumerRecord<String, byte[]>> records(String topic) {
        List<ConsumerRecord<String, byte[]>> out = new java.util.ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, STACK.kafkaBootstrap(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            Instant deadline = Instant.now().plusSeconds(30);
            while (consumer.position(partition) < end) {
                assertThat(Instant.now()).as("reading " + topic + " to offset " + end).isBefore(deadline);
                consumer.poll(Duration.ofMillis(500)).forEach(out::add);
            }
        }
        return out;
    }

    @Test
    void aWriteTheCallerMayNotMakePublishesNothing() {
        String[] mine = onboard("w");
        String[] theirs = onboard("x");
        Caller otherPartner = adminOf(Role.PARTNER, theirs[1]);
        long before = records(Topics.HIERARCHY).size();
        expect(put("/v1/tenants/" + mine[2], otherPartner, body("partnerId", theirs[1])), 404);
        expect(put("/v1/tenants/" + RUN + "w-new", otherPartner, body("partnerId", mine[1])), 422);
        expect(put("/v1/subscriptions/" + RUN + "w-new", adminOf(Role.TENANT, mine[2]),
                body("tenantId", mine[2], "priceBookId", mine[4])), 403);
        expect(put("/v1/distributors/" + mine[0] + "/commission-plan", adminOf(Role.DISTRIBUTOR, mine[0]),
                body("planId", "default")), 403);
        List<ConsumerRecord<String, byte[]>> after = records(Topics.HIERARCHY);
        assertThat(after).hasSize((int) before);
        assertThat(getJson(target("/v1/tenants/" + mine[2]), FIRST_ADMIN, 200)).containsEntry("partnerId", mine[1]);
    }

    @Test
    void anotherInstanceLoadsTheHierarchyFromTheTopics() throws Exception {
        String[] ids = onboard("r");
        String[] theirs = onboard("n"); // before the second instance starts: it must load both from the topics
        token(adminOf(Role.PARTNER, ids[1])); // their users too (written at their first token)
        token(adminOf(Role.PARTNER, theirs[1]));
        DropwizardTestSupport<ApiConfiguration> second = new DropwizardTestSupport<>(ApiApplication.class, CONFIG);
        second.before();
        try {
            WebTarget other = APP.client().target("http://127.0.0.1:" + second.getLocalPort()).path("/v1/subscriptions/" + ids[3]);
            Map<String, Object> view = getJson(other, adminOf(Role.PARTNER, ids[1]), 200);
            assertThat(view).containsEntry("tenantId", ids[2]).containsEntry("priceBookId", ids[4]);
            getJson(other, adminOf(Role.PARTNER, theirs[1]), 404); // a user the first instance wrote, outside
        } finally {
            second.after();
        }
    }

    /**
     * A row of family_rollups as the pipeline writes it: the member {@code child} of the family headed by (level, node),
     * updated_at the time of the write; returns that time as Cassandra keeps it (milliseconds).
     */
    private static Instant insertRollup(String level, String node, String granularity, String bucket, Instant start, Instant end,
                                        String child, String meter, String currency, String status,
                                        long events, String quantity, String amount, String partner, String distributor) {
        return insertRollup(level, node, granularity, bucket, start, end, child, meter, currency, "d", status, events, quantity, amount,
                partner, distributor);
    }

    private static Instant insertRollup(String level, String node, String granularity, String bucket, Instant start, Instant end,
                                        String child, String meter, String currency, String via, String status,
                                        long events, String quantity, String amount, String partner, String distributor) {
        Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        cql.execute(cql.prepare(cms.cassandra.FamilyRollups.INSERT).bind(level, node, bucket, granularity, child, start, meter, currency,
                via, end, status, events, new BigDecimal(quantity), new BigDecimal(amount), new BigDecimal(partner),
                new BigDecimal(distributor), 0L, BigDecimal.ZERO, now, "FINAL".equals(status) ? (1L << 62) + events : events));
        return now;
    }

    /** The latest of some write times. */
    private static Instant latest(Instant... writes) {
        return java.util.Arrays.stream(writes).max(Instant::compareTo).orElseThrow();
    }

    /** A served updatedAt: present, ISO-8601 UTC, between the first write it covers and now, and the latest write it covers. */
    private static void assertUpdatedAt(Object served, Instant firstWrite, Instant latestWrite) {
        assertThat(served).as("updatedAt").isInstanceOf(String.class);
        String text = (String) served;
        assertThat(text).as("updatedAt in UTC").endsWith("Z");
        Instant at = Instant.parse(text);
        assertThat(at).as("updatedAt " + text).isBetween(firstWrite, Instant.now()).isEqualTo(latestWrite);
    }

    @Test
    @SuppressWarnings("unchecked")
    void rollupsWrittenToCassandraAreReturnedExactly() {
        String[] ids = onboard("q");
        String p = ids[1], t = ids[2], s = ids[3];
        Instant h0 = Instant.parse("2031-03-04T10:00:00Z");
        Instant h1 = h0.plusSeconds(3600);
        // the tenant's own windows are its rows in its partner's family; its storage window in two parts (two writers),
        // the later part a little later, as the pipeline's writers do
        Instant vcpuWritten = insertRollup("PARTNER", p, "HOUR", "2031-03", h0, h1, t, "compute.vcpu.hours", "EUR", "OPEN",
                7, "3.500000000", "0.123456789012345678", "0.012345678901234568", "0.006172839450617284");
        Instant storageWritten1 = insertRollup("PARTNER", p, "HOUR", "2031-03", h0, h1, t, "storage.gb", "EUR", "d1", "OPEN",
                1, "4", "0.5", "0.05", "0.025");
        pause();
        Instant storageWritten2 = insertRollup("PARTNER", p, "HOUR", "2031-03", h0, h1, t, "storage.gb", "EUR", "d2", "OPEN",
                1, "6", "0.500000000000000001", "0.05", "0.025");
        Instant childWritten = insertRollup("TENANT", t, "HOUR", "2031-03", h0, h1, s, "compute.vcpu.hours", "EUR", "OPEN",
                7, "3.500000000", "0.123456789012345678", "0.012345678901234568", "0.006172839450617284");

        Map<String, Object> usage = getJson(target("/v1/usage/tenant/" + t)
                .queryParam("from", "2031-03-04T00:00:00Z").queryParam("to", "2031-03-05T00:00:00Z")
                .queryParam("granularity", "HOUR").queryParam("breakdown", "meter,child"), adminOf(Role.TENANT, t), 200);
        List<Map<String, Object>> windows = (List<Map<String, Object>>) usage.get("windows");
        assertThat(windows).hasSize(1);
        Map<String, Object> w = windows.get(0);
        assertThat(w).containsEntry("start", "2031-03-04T10:00:00Z").containsEntry("end", "2031-03-04T11:00:00Z")
                .containsEntry("status", "OPEN").containsEntry("eventCount", 9);
        assertThat((List<Map<String, Object>>) w.get("amounts")).singleElement().satisfies(a -> assertThat(a)
                .containsEntry("currency", "EUR").containsEntry("amount", "1.123456789012345679")
                .containsEntry("partnerCommission", "0.112345678901234568")
                .containsEntry("distributorCommission", "0.056172839450617284"));
        assertThat((List<Map<String, Object>>) w.get("byMeter")).first().satisfies(m -> assertThat(m)
                .containsEntry("meterId", "compute.vcpu.hours").containsEntry("quantity", "3.500000000")
                .containsEntry("amount", "0.123456789012345678"));
        assertThat((List<Map<String, Object>>) w.get("byChild")).singleElement().satisfies(m -> assertThat(m)
                .containsEntry("childId", s).containsEntry("amount", "0.123456789012345678"));
        // when the values were last written: the window's latest part, each meter's and child's own latest
        assertThat(storageWritten2).isAfter(storageWritten1);
        assertUpdatedAt(w.get("updatedAt"), vcpuWritten, latest(vcpuWritten, storageWritten1, storageWritten2));
        List<Map<String, Object>> meters = (List<Map<String, Object>>) w.get("byMeter");
        assertThat(meters).extracting(m -> m.get("meterId")).containsExactly("compute.vcpu.hours", "storage.gb");
        assertUpdatedAt(meters.get(0).get("updatedAt"), vcpuWritten, vcpuWritten);
        assertUpdatedAt(meters.get(1).get("updatedAt"), storageWritten1, storageWritten2);
        assertUpdatedAt(((List<Map<String, Object>>) w.get("byChild")).get(0).get("updatedAt"), childWritten, childWritten);

        Instant march = Instant.parse("2031-03-01T00:00:00Z");
        Instant april = Instant.parse("2031-04-01T00:00:00Z");
        Instant ownWritten = insertRollup("DISTRIBUTOR", ids[0], "MONTH", cms.rollup.Granularity.MONTH.bucket(march.toEpochMilli()), march,
                april, p, "compute.vcpu.hours", "EUR", "FINAL", 40, "80", "12.345", "1.2345", "0.61725");
        pause();
        Instant childrenWritten = insertRollup("PARTNER", p, "MONTH", cms.rollup.Granularity.MONTH.bucket(march.toEpochMilli()), march,
                april, t, "compute.vcpu.hours", "EUR", "FINAL",
                40, "80", "12.345", "1.2345", "0.61725");
        cql.execute(cql.prepare("INSERT INTO periods (period, status, watermark, final_at, updated_at) VALUES (?, ?, ?, ?, ?)")
                .bind("2031-03", "FINAL", Instant.parse("2031-04-02T00:00:00Z"), Instant.parse("2031-04-02T00:00:05Z"), Instant.now()));
        Map<String, Object> commission = getJson(target("/v1/commissions/partner/" + p).queryParam("period", "2031-03"),
                adminOf(Role.DISTRIBUTOR, ids[0]), 200);
        assertThat(commission).containsEntry("status", "FINAL");
        // the latest of the partner's own row and its children's
        assertUpdatedAt(commission.get("updatedAt"), ownWritten, childrenWritten);
        assertThat((List<Object>) commission.get("totals")).containsExactly(
                Map.of("currency", "EUR", "amount", "12.345", "commission", "1.2345"));
        assertThat((List<Object>) commission.get("children")).containsExactly(
                Map.of("childId", t, "currency", "EUR", "amount", "12.345", "commission", "1.2345"));

        Map<String, Object> period = getJson(target("/v1/periods/2031-03"), adminOf(Role.TENANT, t), 200);
        assertThat(period).isEqualTo(Map.of("period", "2031-03", "status", "FINAL",
                "watermark", "2031-04-02T00:00:00Z", "finalAt", "2031-04-02T00:00:05Z"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void aStatementsLinesAddUpToItsTotal() {
        String[] ids = onboard("s");
        String t = ids[2];
        expect(put("/v1/subscriptions/" + ids[3] + "b", adminOf(Role.PARTNER, ids[1]), body("tenantId", t, "priceBookId", ids[4])), 201);
        Instant may = Instant.parse("2031-05-01T00:00:00Z");
        Instant june = Instant.parse("2031-06-01T00:00:00Z");
        String[][] lines = {
                {ids[3], "compute.vcpu.hours", "10.125"}, {ids[3], "storage.gb", "0.135"},
                {ids[3] + "b", "compute.vcpu.hours", "2.0050000001"}, {ids[3] + "b", "network.gb", "7.775"}};
        Instant firstLine = null;
        Instant lastLine = null;
        for (String[] l : lines) {
            lastLine = insertRollup("TENANT", t, "MONTH", cms.rollup.Granularity.MONTH.bucket(may.toEpochMilli()), may, june, l[0], l[1],
                    "EUR", "FINAL",
                    1, "1", l[2], "0", "0");
            firstLine = firstLine == null ? lastLine : firstLine;
        }
        cql.execute(cql.prepare("INSERT INTO periods (period, status, watermark, updated_at) VALUES (?, ?, ?, ?)")
                .bind("2031-06", "OPEN", Instant.parse("2031-06-10T00:00:00Z"), Instant.now()));
        getJson(target("/v1/statements/" + t).queryParam("period", "2031-06"), adminOf(Role.TENANT, t), 409);
        cql.execute(cql.prepare("INSERT INTO periods (period, status, watermark, final_at, updated_at) VALUES (?, ?, ?, ?, ?)")
                .bind("2031-05", "FINAL", Instant.parse("2031-06-03T00:00:00Z"), Instant.parse("2031-06-03T00:00:00Z"), Instant.now()));

        Map<String, Object> statement = getJson(target("/v1/statements/" + t).queryParam("period", "2031-05"),
                adminOf(Role.PARTNER, ids[1]), 200);
        List<Map<String, Object>> got = (List<Map<String, Object>>) statement.get("lines");
        assertThat(got).extracting(l -> (String) l.get("amount")).containsExactly("10.12", "0.14", "2.01", "7.78");
        BigDecimal sum = got.stream().map(l -> new BigDecimal((String) l.get("amount"))).reduce(BigDecimal.ZERO, BigDecimal::add);
        assertThat((List<Map<String, Object>>) statement.get("totals")).containsExactly(
                Map.of("currency", "EUR", "amount", sum.toPlainString()));
        assertThat(sum.toPlainString()).isEqualTo("20.05");
        assertUpdatedAt(statement.get("updatedAt"), firstLine, lastLine);
    }

    /**
     * Issue 13: the pipeline writes every HOUR and MONTH row OPEN and FINAL, but DAY rows only FINAL. Here the rows are
     * written so (HOUR rows, with each the OPEN MONTH row of the month to date, FINAL DAY rows of two settled days, no
     * OPEN DAY rows but a stale one of an older pipeline), over a day boundary, with two meters in EUR and one in USD,
     * and a tenant moved between distributors within a day (its rows in two partners' families, its subscription's in
     * its own family in two parts, via each distributor). Every DAY and MONTH window the API serves must be exactly the
     * sum of its HOUR rows, per meter and currency, at every level, OPEN unless it has FINAL rows, dated by the latest
     * of the rows it adds up (a MONTH window: its stored rows).
     */
    @Test
    void openDaysAndMonthsAreTheSumsOfTheirHourRowsAndFinalDays() {
        String d1 = RUN + "md1", d2 = RUN + "md2", p1 = RUN + "mp1", p2 = RUN + "mp2", t = RUN + "mt", s1 = RUN + "ms1", s2 = RUN + "ms2";
        Object rates = List.of(Map.of("meterId", "compute.vcpu.hours", "model", "GRADUATED",
                "tiers", List.of(Map.of("upTo", "100", "unitPrice", "0.05"), Map.of("unitPrice", "0.04"))));
        expect(put("/v1/price-books/" + RUN + "mpbe", FIRST_ADMIN, body("currency", "EUR", "rates", rates)), 201);
        expect(put("/v1/price-books/" + RUN + "mpbu", FIRST_ADMIN, body("currency", "USD", "rates", rates)), 201);
        expect(put("/v1/distributors/" + d1, FIRST_ADMIN, body("name", "D1")), 201);
        expect(put("/v1/distributors/" + d2, FIRST_ADMIN, body("name", "D2")), 201);
        expect(put("/v1/partners/" + p1, FIRST_ADMIN, body("distributorId", d1)), 201);
        expect(put("/v1/partners/" + p2, FIRST_ADMIN, body("distributorId", d2)), 201);
        expect(put("/v1/tenants/" + t, FIRST_ADMIN, body("partnerId", p1)), 201);
        expect(put("/v1/subscriptions/" + s1, FIRST_ADMIN, body("tenantId", t, "priceBookId", RUN + "mpbe")), 201);
        expect(put("/v1/subscriptions/" + s2, FIRST_ADMIN, body("tenantId", t, "priceBookId", RUN + "mpbu")), 201);
        // the tenant moves to p2 (under d2) at 12:30 on the 10th
        expect(put("/v1/tenants/" + t, FIRST_ADMIN, body("partnerId", p2, "effectiveFrom", "2031-07-10T12:30:00Z")), 200);

        RollupLedger ledger = new RollupLedger(cql);
        var s1Before = new RollupLedger.Lineage(s1, t, p1, d1);
        var s2Before = new RollupLedger.Lineage(s2, t, p1, d1);
        var s1After = new RollupLedger.Lineage(s1, t, p2, d2);
        var s2After = new RollupLedger.Lineage(s2, t, p2, d2);
        Instant july = Instant.parse("2031-07-01T00:00:00Z");
        Instant day1 = july, day2 = july.plus(Duration.ofDays(1));
        Instant day9 = july.plus(Duration.ofDays(8)), day10 = july.plus(Duration.ofDays(9));
        Instant longAgo = Instant.now().minus(Duration.ofHours(3));
        Instant settled = Instant.now().minus(DERIVED_SETTLE).minus(Duration.ofMinutes(5));
        // two days FINAL long ago: their HOUR rows FINAL, then their DAY rows
        ledger.hour(s1Before, RollupLedger.hours(day1, 3), "compute.vcpu.hours", "EUR", "FINAL", 3, "30.5", "1.525", "0.1525", "0.07625", longAgo);
        ledger.hour(s1Before, RollupLedger.hours(day1, 4), "compute.vcpu.hours", "EUR", "FINAL", 1, "0.000000001", "0.00000000005",
                "0.000000000005", "0.0000000000025", longAgo);
        ledger.hour(s2Before, RollupLedger.hours(day1, 5), "network.gb", "USD", "FINAL", 2, "7", "0.7", "0.07", "0.035", longAgo);
        ledger.hour(s1Before, RollupLedger.hours(day2, 10), "compute.vcpu.hours", "EUR", "FINAL", 4, "4", "0.2", "0.02", "0.01", longAgo);
        ledger.hour(s1Before, RollupLedger.hours(day2, 11), "storage.gb", "EUR", "FINAL", 1, "100", "2.3", "0.23", "0.115", longAgo);
        ledger.finalDay(day1, f -> true, settled);
        ledger.finalDay(day2, f -> true, settled);
        // open days: the 9th and the 10th, over midnight; the move within the 10th's 12:00 hour (a part before, one after)
        ledger.hour(s1Before, RollupLedger.hours(day9, 22), "compute.vcpu.hours", "EUR", "FINAL", 2, "1.5", "0.075", "0.0075", "0.00375", longAgo);
        ledger.hour(s1Before, RollupLedger.hours(day9, 23), "compute.vcpu.hours", "EUR", "OPEN", 5, "2.25", "0.1125", "0.01125", "0.005625",
                Instant.now());
        ledger.hour(s2Before, RollupLedger.hours(day9, 23), "network.gb", "USD", "OPEN", 1, "3", "0.3", "0.03", "0.015", Instant.now());
        pause();
        ledger.hour(s1Before, RollupLedger.hours(day10, 0), "compute.vcpu.hours", "EUR", "OPEN", 1, "1", "0.05", "0.005", "0.0025", Instant.now());
        ledger.hour(s1Before, RollupLedger.hours(day10, 12), "compute.vcpu.hours", "EUR", "OPEN", 2, "2", "0.1", "0.01", "0.005", Instant.now());
        pause();
        ledger.hour(s1After, RollupLedger.hours(day10, 12), "compute.vcpu.hours", "EUR", "OPEN", 3, "3", "0.15", "0.03", "0.0045", Instant.now());
        ledger.hour(s1After, RollupLedger.hours(day10, 13), "storage.gb", "EUR", "OPEN", 1, "10", "0.23", "0.046", "0.0069", Instant.now());
        pause();
        ledger.hour(s2After, RollupLedger.hours(day10, 14), "network.gb", "USD", "OPEN", 6, "0.5", "0.05", "0.01", "0.0015", Instant.now());
        // an older pipeline's OPEN DAY rows, stale: never added
        ledger.stale("PARTNER", p1, cms.rollup.Granularity.DAY, t, day10, "compute.vcpu.hours", "EUR", d1, 1, "99");
        ledger.stale("TENANT", t, cms.rollup.Granularity.DAY, s2, day9, "network.gb", "USD", d1, 1, "99");

        String from = "2031-07-01T00:00:00Z", to = "2031-08-01T00:00:00Z";
        for (cms.rollup.Granularity g : cms.rollup.Granularity.values()) {
            // the tenant's own windows (in both partners' families) and its subscriptions'
            assertUsage(ledger, "tenant", t, g, from, to, "PARTNER", null, t, "TENANT", t);
            // a subscription's own windows: its tenant's family, in two parts on the 10th (via d1 and d2)
            assertUsage(ledger, "subscription", s1, g, from, to, "TENANT", t, s1, null, null);
            // each partner's and distributor's own window and their children's, on either side of the move
            assertUsage(ledger, "partner", p1, g, from, to, "DISTRIBUTOR", d1, p1, "PARTNER", p1);
            assertUsage(ledger, "partner", p2, g, from, to, "DISTRIBUTOR", d2, p2, "PARTNER", p2);
            assertUsage(ledger, "distributor", d1, g, from, to, "DISTRIBUTOR", d1, "", "DISTRIBUTOR", d1);
            assertUsage(ledger, "distributor", d2, g, from, to, "DISTRIBUTOR", d2, "", "DISTRIBUTOR", d2);
        }
        // a DAY range inside the month (the 9th to the 11th: the two open days only), not starting at a day boundary
        assertUsage(ledger, "tenant", t, cms.rollup.Granularity.DAY, "2031-07-08T06:00:00Z", "2031-07-11T00:00:00Z", "PARTNER", null, t,
                "TENANT", t);
        assertCommission(ledger, p1, "2031-07", "DISTRIBUTOR", d1, p1, "PARTNER", p1, true);
        assertCommission(ledger, d2, "2031-07", "DISTRIBUTOR", d2, "", "DISTRIBUTOR", d2, false);

        // the 9th becomes FINAL in the partners' families and for s1 in its tenant's, the other FINAL rows still to land
        // (a commit in progress): where a member's day has FINAL rows it is served from them, elsewhere (s2 in the same
        // partition, read in the same query) its HOUR rows are still added up; the MONTH windows stay their OPEN MONTH rows
        ledger.finalDay(day9, f -> f[0].equals("PARTNER") || f[2].equals(s1), Instant.now());
        assertUsage(ledger, "tenant", t, cms.rollup.Granularity.DAY, from, to, "PARTNER", null, t, "TENANT", t);
        assertUsage(ledger, "tenant", t, cms.rollup.Granularity.MONTH, from, to, "PARTNER", null, t, "TENANT", t);
        assertUsage(ledger, "partner", p1, cms.rollup.Granularity.MONTH, from, to, "DISTRIBUTOR", d1, p1, "PARTNER", p1);
    }

    /** How long the API reads a day's HOUR rows after its FINAL rows were written (cms.cassandra.DerivedWindows). */
    private static final Duration DERIVED_SETTLE = cms.cassandra.DerivedWindows.SETTLE;

    /**
     * GET /v1/usage for the node at granularity g with meter and (when the node has children) child breakdowns, against
     * the ledger: the node's own windows are the rows of (ownFamily, ownHead or any, ownMember), its children's the rows of
     * (childFamily, childHead).
     */
    @SuppressWarnings("unchecked")
    private static void assertUsage(RollupLedger ledger, String level, String id, cms.rollup.Granularity g, String from, String to,
                                    String ownFamily, String ownHead, String ownMember, String childFamily, String childHead) {
        boolean children = childFamily != null;
        Map<String, Object> usage = getJson(target("/v1/usage/" + level + "/" + id).queryParam("from", from).queryParam("to", to)
                .queryParam("granularity", g.name()).queryParam("breakdown", children ? "meter,child" : "meter"), FIRST_ADMIN, 200);
        String what = level + " " + id + " " + g + " " + from + ".." + to;
        Instant start = Instant.parse(from), end = Instant.parse(to);
        Map<String, RollupLedger.Sums> perCurrency = within(ledger.expect(ownFamily, ownHead, ownMember, g, false, false), start, end, g);
        Map<String, RollupLedger.Sums> perMeter = within(ledger.expect(ownFamily, ownHead, ownMember, g, false, true), start, end, g);
        Map<String, RollupLedger.Sums> perChild = children
                ? within(ledger.expect(childFamily, childHead, null, g, true, false), start, end, g) : Map.of();

        Map<String, Object> served = new java.util.TreeMap<>();
        for (Map<String, Object> w : (List<Map<String, Object>>) usage.get("windows")) {
            String window = (String) w.get("start");
            Map<String, RollupLedger.Sums> mine = new java.util.TreeMap<>();
            perMeter.forEach((k, v) -> {
                if (k.startsWith(window + "|")) {
                    mine.put(k, v);
                }
            });
            assertThat(mine).as(what + " expects window " + window).isNotEmpty();
            RollupLedger.Sums all = new RollupLedger.Sums();
            mine.values().forEach(v -> {
                all.allFinal &= v.allFinal;
                all.updatedAt = all.updatedAt == null || v.updatedAt.isAfter(all.updatedAt) ? v.updatedAt : all.updatedAt;
                all.events += v.events;
            });
            assertThat(w).as(what + " " + window).containsEntry("status", all.status()).containsEntry("eventCount", (int) all.events)
                    .containsEntry("updatedAt", all.updatedAt.toString())
                    .containsEntry("end", Instant.ofEpochMilli(g.end(Instant.parse(window).toEpochMilli())).toString());
            for (Map<String, Object> a : (List<Map<String, Object>>) w.get("amounts")) {
                RollupLedger.Sums e = perCurrency.get(window + "|||" + a.get("currency"));
                assertThat(e).as(what + " " + window + " " + a).isNotNull();
                assertThat(a).as(what + " " + window).containsEntry("eventCount", (int) e.events)
                        .containsEntry("amount", e.amount.toPlainString())
                        .containsEntry("partnerCommission", e.partnerCommission.toPlainString())
                        .containsEntry("distributorCommission", e.distributorCommission.toPlainString())
                        .containsEntry("adjustmentCount", 0).containsEntry("adjustmentAmount", "0");
                served.put(window + "|||" + a.get("currency"), "amounts");
            }
            for (Map<String, Object> m : (List<Map<String, Object>>) w.get("byMeter")) {
                String key = window + "||" + m.get("meterId") + "|" + m.get("currency");
                RollupLedger.Sums e = perMeter.get(key);
                assertThat(e).as(what + " " + key).isNotNull();
                assertThat(m).as(what + " " + key).containsEntry("status", e.status()).containsEntry("eventCount", (int) e.events)
                        .containsEntry("quantity", e.quantity.toPlainString()).containsEntry("amount", e.amount.toPlainString())
                        .containsEntry("partnerCommission", e.partnerCommission.toPlainString())
                        .containsEntry("distributorCommission", e.distributorCommission.toPlainString())
                        .containsEntry("updatedAt", e.updatedAt.toString());
                served.put(key, "byMeter");
            }
            if (children) {
                for (Map<String, Object> c : (List<Map<String, Object>>) w.get("byChild")) {
                    String key = window + "|" + c.get("childId") + "||" + c.get("currency");
                    RollupLedger.Sums e = perChild.get(key);
                    assertThat(e).as(what + " " + key).isNotNull();
                    assertThat(c).as(what + " " + key).containsEntry("eventCount", (int) e.events)
                            .containsEntry("amount", e.amount.toPlainString())
                            .containsEntry("partnerCommission", e.partnerCommission.toPlainString())
                            .containsEntry("distributorCommission", e.distributorCommission.toPlainString())
                            .containsEntry("updatedAt", e.updatedAt.toString());
                    served.put(key, "byChild");
                }
            }
        }
        // nothing expected is missing
        java.util.Set<String> expected = new java.util.TreeSet<>(perCurrency.keySet());
        expected.addAll(perMeter.keySet());
        expected.addAll(perChild.keySet());
        assertThat(served.keySet()).as(what).containsExactlyInAnyOrderElementsOf(expected);
    }

    /** The expectations of windows starting in [from, to). */
    private static Map<String, RollupLedger.Sums> within(Map<String, RollupLedger.Sums> expected, Instant from, Instant to,
                                                         cms.rollup.Granularity g) {
        Map<String, RollupLedger.Sums> out = new java.util.TreeMap<>();
        expected.forEach((k, v) -> {
            Instant start = Instant.parse(k.substring(0, k.indexOf('|')));
            if (!start.isBefore(from) && start.isBefore(to)) {
                out.put(k, v);
            }
        });
        return out;
    }

    /** GET /v1/commissions of an OPEN period against the ledger's MONTH sums of the node's own rows and its children's. */
    @SuppressWarnings("unchecked")
    private static void assertCommission(RollupLedger ledger, String id, String period, String ownFamily, String ownHead, String ownMember,
                                         String childFamily, String childHead, boolean partner) {
        Map<String, Object> commission = getJson(target("/v1/commissions/" + (partner ? "partner" : "distributor") + "/" + id)
                .queryParam("period", period), FIRST_ADMIN, 200);
        Map<String, RollupLedger.Sums> totals = ledger.expect(ownFamily, ownHead, ownMember, cms.rollup.Granularity.MONTH, false, false);
        Map<String, RollupLedger.Sums> children = ledger.expect(childFamily, childHead, null, cms.rollup.Granularity.MONTH, true, false);
        List<Map<String, Object>> expectedTotals = new java.util.ArrayList<>();
        Instant latest = null;
        for (Map.Entry<String, RollupLedger.Sums> e : totals.entrySet()) {
            RollupLedger.Sums s = e.getValue();
            expectedTotals.add(Map.of("currency", e.getKey().substring(e.getKey().lastIndexOf('|') + 1), "amount", s.amount.toPlainString(),
                    "commission", (partner ? s.partnerCommission : s.distributorCommission).toPlainString()));
            latest = latest == null || s.updatedAt.isAfter(latest) ? s.updatedAt : latest;
        }
        List<Map<String, Object>> expectedChildren = new java.util.ArrayList<>();
        for (Map.Entry<String, RollupLedger.Sums> e : children.entrySet()) {
            String[] k = e.getKey().split("\\|", -1);
            RollupLedger.Sums s = e.getValue();
            expectedChildren.add(Map.of("childId", k[1], "currency", k[3], "amount", s.amount.toPlainString(),
                    "commission", (partner ? s.partnerCommission : s.distributorCommission).toPlainString()));
            latest = latest == null || s.updatedAt.isAfter(latest) ? s.updatedAt : latest;
        }
        assertThat(expectedTotals).isNotEmpty();
        assertThat(commission).containsEntry("status", "OPEN").containsEntry("updatedAt", latest.toString());
        assertThat((List<Object>) commission.get("totals")).containsExactlyElementsOf(expectedTotals);
        assertThat((List<Object>) commission.get("children")).containsExactlyElementsOf(expectedChildren);
    }

    /** Lets the clock move on by more than Cassandra's millisecond, so a later write has a later time. */
    private static void pause() {
        try {
            Thread.sleep(5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Test
    void healthChecksReportCassandraAndKafka() {
        Response r = APP.client().target("http://127.0.0.1:" + APP.getAdminPort() + "/healthcheck").request().get();
        String body = r.readEntity(String.class);
        assertThat(r.getStatus()).as(body).isEqualTo(200);
        assertThat(body).contains("\"cassandra\":{\"healthy\":true").contains("\"kafka\":{\"healthy\":true");
    }

    /**
     * What an operator sees of the API: the admin port's Prometheus text format carries the request rate and latency
     * (Dropwizard's Jetty handler timer, by quantile, and its responses by status class) and each dependency's health.
     */
    @Test
    void prometheusMetricsCarryRequestRatesLatenciesAndHealth() {
        target("/v1/me").request().get().close();   // 401: at least one request and one 4xx response
        Response r = APP.client().target("http://127.0.0.1:" + APP.getAdminPort() + "/prometheus").request().get();
        String body = r.readEntity(String.class);
        assertThat(r.getStatus()).isEqualTo(200);
        assertThat(r.getMediaType().toString()).startsWith("text/plain");
        String requests = "io_dropwizard_jetty_MutableServletContextHandler_requests";
        assertThat(body).as("request latency quantiles").containsPattern(requests + "\\{quantile=\"0\\.99\"\\} [0-9.eE+-]+");
        assertThat(value(body, requests + "_count")).as("requests counted").isPositive();
        assertThat(value(body, "io_dropwizard_jetty_MutableServletContextHandler_4xx_responses_total")).as("4xx responses").isPositive();
        assertThat(value(body, "health_cassandra_healthy")).isEqualTo(1.0);
        assertThat(value(body, "health_kafka_healthy")).isEqualTo(1.0);
    }

    private static double value(String prometheusText, String name) {
        return java.util.Arrays.stream(prometheusText.split("\n"))
                .filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .findFirst().orElseThrow(() -> new AssertionError(name + " not in the API's Prometheus metrics"));
    }

    @Test
    void noTokenIs401AndErrorsCarryNoStackTrace() {
        Response r = target("/v1/me").request().get();
        assertThat(r.getStatus()).isEqualTo(401);
        Response bad = put("/v1/partners/" + RUN + "x", FIRST_ADMIN, Map.of("distributorId", List.of("not", "a", "string")));
        String body = bad.readEntity(String.class);
        assertThat(bad.getStatus()).isEqualTo(400);
        assertThat(body).startsWith("{\"code\":400,\"message\":\"distributorId:").doesNotContain("at cms.").doesNotContain("Exception");
    }
}
