package cms.e2e.journeys;

import cms.e2e.journeys.ExpectedRating.Level;
import cms.e2e.journeys.ExpectedRating.Line;
import cms.e2e.journeys.ExpectedRating.Model;
import cms.e2e.journeys.ExpectedRating.PlanVersion;
import cms.e2e.journeys.ExpectedRating.PriceBook;
import cms.e2e.journeys.ExpectedRating.Rate;
import cms.e2e.journeys.ExpectedRating.Share;
import cms.e2e.journeys.ExpectedRating.Tier;
import cms.e2e.journeys.ExpectedRating.Totals;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The product's two journeys end to end, through its public surfaces only: the packaged rating job
 * and API as processes (cms.infra.RunningSystem) on the real stack; onboarding by HTTP PUTs, each
 * layer with its own token as the journey delegates it; usage written to Kafka by Confluent's own
 * Python client; every result read over HTTP and compared with the test's own rating
 * ({@link ExpectedRating}) of the events it sent.
 *
 * <ul>
 *   <li>Service-provider sales: a platform admin creates a distributor, the distributor onboards two
 *       partners, the partners onboard tenants, admin and partners create subscriptions.</li>
 *   <li>Enterprise internal reseller: central IT (distributor), divisions (partners), departments
 *       (tenants), projects (subscriptions).</li>
 * </ul>
 * The usage lies in the previous calendar month (UTC), near its end, so the period can be closed
 * while the test runs: usage timed just after the month's end plus the allowed lateness moves the
 * event-time watermark past it. With -Dcms.e2e.eventTimes=now the usage is timed now instead and
 * the close is skipped (a smoke run for a job whose watermark follows arrival time).
 *
 * <p>The phases build on each other, so they run in order and a failed phase skips the rest.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChannelJourneysIT {
    /** Spend must show at every level within this long of the producer's last acknowledgement. */
    private static final Duration VISIBLE_WITHIN = Duration.ofSeconds(20);
    private static final BigDecimal EXACT = new BigDecimal("0.000000001");
    private static final String DEFAULT_PLAN = "default";

    private boolean failed;
    private final List<String> figures = new ArrayList<>();

    @RegisterExtension
    final TestWatcher watcher = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            failed = true;
        }
    };

    private final Instant began = Instant.now();
    private final boolean smoke = "now".equalsIgnoreCase(System.getProperty("cms.e2e.eventTimes", ""));
    private JourneySystem run;
    private Api api;
    private String r;
    private YearMonth period;
    private Instant periodStart;
    private Instant periodEnd;
    private final Map<String, String> tokens = new HashMap<>();

    private final ExpectedRating expected = new ExpectedRating();
    private final List<Usage> sent = new ArrayList<>();
    private Channel sp;
    private Channel corp;

    /** One channel of a journey: its ids, the events it sent, and its readers' tokens. */
    private record Channel(String label, String currency, String distributor, List<String> partners,
                           Map<String, String> tenantPartner, Map<String, String> subscriptionTenant, List<Usage> events) {
        List<String> tenants() {
            return List.copyOf(tenantPartner.keySet());
        }
    }

    @BeforeAll
    void startTheSystem() throws Exception {
        r = Long.toString(new Random().nextLong() & 0x7fffffffffL, 36);
        r = r.substring(Math.max(0, r.length() - 6));
        Instant now = Instant.now();
        YearMonth current = YearMonth.now(ZoneOffset.UTC);
        String maxEventAge = "35d";
        if (smoke) {
            period = current;
        } else {
            period = current.minusMonths(1);
            // the close needs usage timed after the period's end + lateness, and not in the future
            if (now.isBefore(start(current).plus(Duration.ofHours(3)))) {
                period = current.minusMonths(2);
                maxEventAge = "70d";
            }
        }
        periodStart = start(period);
        periodEnd = start(period.plusMonths(1));
        System.out.printf("[e2e] run %s: billing period %s (%s)%n", r, period, smoke ? "smoke: event times now, no close" : "closed by the test");
        run = JourneySystem.start(r, maxEventAge);
        api = run.api;
        figures.add(String.format("system start (topics, keyspace, job, API): %.1f s", run.startup().toMillis() / 1000.0));
        System.out.printf("[e2e] %s%n", JourneySystem.describe(run));
    }

    @BeforeEach
    void skipAfterAFailure() {
        assumeTrue(!failed, "an earlier phase failed");
    }

    @AfterAll
    void stop() {
        if (failed && run != null) {
            System.out.println("[e2e] a phase failed; the processes' logs end with:\n" + run.logTails(60));
        }
        if (run != null) {
            run.close(!failed);
        }
        figures.add(String.format("whole run: %.1f s", Duration.between(began, Instant.now()).toMillis() / 1000.0));
        System.out.println("[e2e] figures:\n  " + String.join("\n  ", figures));
    }

    // --- 1. onboarding ---------------------------------------------------------------------------

    @Test
    @Order(1)
    void bothChannelsAreOnboardedOverHttpEachLayerByTheOneAbove() throws Exception {
        Instant t0 = Instant.now();
        String sd = "sp-" + r, pa = sd + "-pa", pb = sd + "-pb";
        String it = "corp-" + r + "-it", divA = "corp-" + r + "-div-a", divB = "corp-" + r + "-div-b";
        String paT1 = pa + "-t1", dFin = "corp-" + r + "-a-fin";
        // every token names a user: the platform's first admin, and an admin of each node, written by the layer above
        mintTokens(Map.of("admin", "admin", sd, sd + "-admin", pa, pa + "-admin", pb, pb + "-admin", paT1, paT1 + "-admin",
                it, it + "-admin", divA, divA + "-admin", divB, divB + "-admin", dFin, dFin + "-admin"));
        figures.add(String.format("9 tokens minted by one run of the API's token command: %.1f s", Duration.between(t0, Instant.now()).toMillis() / 1000.0));
        Instant t1 = Instant.now();
        ensureDefaultPlan();
        sp = onboardServiceProvider(sd, pa, pb);
        corp = onboardEnterprise(it, divA, divB);
        figures.add(String.format("onboarding both channels over HTTP: %.1f s", Duration.between(t1, Instant.now()).toMillis() / 1000.0));
    }

    // --- 2. usage, visible within seconds ------------------------------------------------------------

    @Test
    @Order(2)
    void serviceProviderSpendIsVisibleAtEveryLevelWithinSeconds() throws Exception {
        produceAndWatch(sp);
    }

    @Test
    @Order(3)
    void enterpriseSpendIsVisibleAtEveryLevelWithinSeconds() throws Exception {
        produceAndWatch(corp);
    }

    // --- 3. what each layer sees -----------------------------------------------------------------

    @Test
    @Order(4)
    void aDistributorSeesItsPartnersSideBySide() {
        ExpectedRating.Period rated = expected.rate(sent, period);
        for (Channel c : List.of(sp, corp)) {
            JsonNode window = oneWindow(api.get(tokens.get(c.distributor()), usagePath("distributor", c.distributor(), "MONTH", "child"))
                    .requireStatus(200).json());
            Map<String, Map<String, Totals>> children = rated.children(Level.DISTRIBUTOR, c.distributor());
            assertThat(children.keySet()).containsExactlyInAnyOrderElementsOf(c.partners());
            Map<String, JsonNode> byChild = new TreeMap<>();
            window.get("byChild").forEach(n -> byChild.put(n.get("childId").asText(), n));
            assertThat(byChild.keySet()).as(c.label() + " distributor's partners side by side").isEqualTo(children.keySet());
            StringBuilder line = new StringBuilder(c.label() + " distributor " + c.distributor() + ", partners side by side:");
            children.forEach((partner, totals) -> {
                Totals t = totals.get(c.currency());
                JsonNode n = byChild.get(partner);
                assertThat(n.get("currency").asText()).isEqualTo(c.currency());
                assertThat(n.get("eventCount").asLong()).as(partner + " events").isEqualTo(t.eventCount());
                assertAmount(partner + " amount", n.get("amount"), t.amount());
                t.partnerCommission().ifPresent(x -> assertAmount(partner + " partner commission", n.get("partnerCommission"), x));
                t.distributorCommission().ifPresent(x -> assertAmount(partner + " distributor commission", n.get("distributorCommission"), x));
                line.append(String.format(" %s %s %s", partner, n.get("amount").asText(), c.currency()));
            });
            System.out.println("[e2e] " + line);

            // and by day: the day (or days) the usage fell on, one window each, adding up to the month
            JsonNode days = api.get(tokens.get(c.distributor()), usagePath("distributor", c.distributor(), "DAY", "child"))
                    .requireStatus(200).json().get("windows");
            BigDecimal sum = BigDecimal.ZERO;
            for (JsonNode d : days) {
                sum = sum.add(new BigDecimal(d.get("amounts").get(0).get("amount").asText()));
            }
            assertAmount(c.label() + " days add up to the month", sum, rated.totals(Level.DISTRIBUTOR, c.distributor()).get(c.currency()).amount());
        }
    }

    @Test
    @Order(5)
    void nobodySeesOutsideItsSubtreeAnOutsiderAnswersExactlyAsAMissingNode() {
        String pa = sp.partners().get(0), pb = sp.partners().get(1);
        String foreignTenant = sp.tenantPartner().entrySet().stream().filter(e -> e.getValue().equals(pb)).findFirst().orElseThrow().getKey();
        String foreignSubscription = sp.subscriptionTenant().entrySet().stream().filter(e -> e.getValue().equals(foreignTenant))
                .findFirst().orElseThrow().getKey();
        String missing = "sp-" + r + "-never-created";
        String paToken = tokens.get(pa);

        // a partner and the other partner's tenant, its usage, its subscription, its statement
        assertLikeMissing(paToken, "/v1/tenants/%s", foreignTenant, missing);
        assertLikeMissing(paToken, "/v1/tenants/%s/children", foreignTenant, missing);
        assertLikeMissing(paToken, "/v1/usage/tenant/%s" + Api.query("from", periodStart, "to", periodEnd, "granularity", "MONTH"),
                foreignTenant, missing);
        assertLikeMissing(paToken, "/v1/usage/tenant/%s" + Api.query("from", periodStart, "to", periodEnd, "granularity", "HOUR",
                "breakdown", "meter"), foreignTenant, missing);
        assertLikeMissing(paToken, "/v1/subscriptions/%s", foreignSubscription, missing);
        assertLikeMissing(paToken, "/v1/usage/subscription/%s" + Api.query("from", periodStart, "to", periodEnd, "granularity", "DAY"),
                foreignSubscription, missing);
        assertLikeMissing(paToken, "/v1/statements/%s" + Api.query("period", period), foreignTenant, missing);
        assertLikeMissing(paToken, "/v1/commissions/partner/%s" + Api.query("period", period), pb, missing);
        // a tenant and its sibling; a division and the other division's department; one channel's distributor and the other channel
        String paT1 = pa + "-t1", paT2 = pa + "-t2";
        assertLikeMissing(tokens.get(paT1), "/v1/usage/tenant/%s" + Api.query("from", periodStart, "to", periodEnd, "granularity", "MONTH"),
                paT2, missing);
        String divA = corp.partners().get(0);
        String foreignDepartment = corp.tenantPartner().entrySet().stream().filter(e -> !e.getValue().equals(divA)).findFirst()
                .orElseThrow().getKey();
        assertLikeMissing(tokens.get(divA), "/v1/usage/tenant/%s" + Api.query("from", periodStart, "to", periodEnd, "granularity", "MONTH"),
                foreignDepartment, missing);
        assertLikeMissing(tokens.get(sp.distributor()), "/v1/partners/%s", divA, missing);
        assertLikeMissing(tokens.get(corp.distributor()), "/v1/usage/distributor/%s" + Api.query("from", periodStart, "to", periodEnd,
                "granularity", "MONTH", "breakdown", "child"), sp.distributor(), missing);

        // while the partner does see its own tenants
        api.get(paToken, "/v1/tenants/" + paT1).requireStatus(200);
        JsonNode children = api.get(paToken, "/v1/partners/" + pa + "/children").requireStatus(200).json().get("children");
        List<String> ids = new ArrayList<>();
        children.forEach(n -> ids.add(n.get("id").asText()));
        List<String> own = new ArrayList<>(sp.tenantPartner().entrySet().stream().filter(e -> e.getValue().equals(pa))
                .map(Map.Entry::getKey).toList());
        own.add("sp-" + r + "-clock");
        assertThat(ids).containsExactlyInAnyOrderElementsOf(own);
    }

    // --- 4. the billing close ----------------------------------------------------------------------

    @Test
    @Order(6)
    void statementsWaitUntilThePeriodIsFinal() {
        JsonNode p = api.get(tokens.get("admin"), "/v1/periods/" + period).requireStatus(200).json();
        assertThat(p.get("status").asText()).as("period before the close: " + p).isEqualTo("OPEN");
        for (Channel c : List.of(sp, corp)) {
            String tenant = c.tenants().get(0);
            Api.Answer a = api.get(tokens.get(c.tenantPartner().get(tenant)), "/v1/statements/" + tenant + Api.query("period", period));
            assertThat(a.status()).as(a.toString()).isEqualTo(409);
            assertThat(a.json().get("message").asText()).contains(period.toString());
            JsonNode commission = api.get(tokens.get(c.distributor()), "/v1/commissions/distributor/" + c.distributor()
                    + Api.query("period", period)).requireStatus(200).json();
            assertThat(commission.get("status").asText()).isEqualTo("OPEN");
        }
    }

    @Test
    @Order(7)
    void afterThePeriodClosesFinalStatementsAndCommissionStatementsMatchTheTestsOwnRatingToTheCent() throws Exception {
        assumeTrue(!smoke, "smoke run: the usage is timed now, its period cannot close");
        // Usage just past the period's end + allowed lateness (+ out-of-orderness), on every partition,
        // moves the event-time watermark past the period's close.
        Instant closing = periodEnd.plus(JourneySystem.ALLOWED_LATENESS).plus(JourneySystem.OUT_OF_ORDERNESS).plusSeconds(50);
        assertThat(closing).isBefore(Instant.now());
        List<Usage> closers = new ArrayList<>();
        for (int p = 0; p < run.partitions; p++) {
            closers.add(Usage.of("close-" + p, "sp-" + r + "-clock-s1", "compute.vcpu.hours", "1", closing, null).toPartition(p));
        }
        Instant t0 = Instant.now();
        new PythonProducer(run.stack.kafkaBootstrap(), run.stack.registryUrl(), run.usageTopic).produce(closers);
        sent.addAll(closers);

        JsonNode finalPeriod = eventually("period " + period + " FINAL", Duration.ofSeconds(90), () -> {
            JsonNode p = api.get(tokens.get("admin"), "/v1/periods/" + period).requireStatus(200).json();
            assertThat(p.get("status").asText()).as("period " + p).isEqualTo("FINAL");
            return p;
        });
        Duration toFinal = Duration.between(t0, Instant.now());
        Instant closesAt = periodEnd.plus(JourneySystem.ALLOWED_LATENESS);
        assertThat(Instant.parse(finalPeriod.get("watermark").asText())).isAfterOrEqualTo(closesAt);
        assertThat(Instant.parse(finalPeriod.get("finalAt").asText())).isAfterOrEqualTo(closesAt);
        figures.add(String.format("period %s FINAL %.1f s after the closing usage was produced (%s)", period,
                toFinal.toMillis() / 1000.0, finalPeriod));
        System.out.printf("[e2e] period %s FINAL after %.1f s: %s%n", period, toFinal.toMillis() / 1000.0, finalPeriod);

        ExpectedRating.Period rated = expected.rate(sent, period);
        for (Channel c : List.of(sp, corp)) {
            for (String tenant : c.tenants()) {
                assertStatement(c, tenant, rated);
            }
            for (String partner : c.partners()) {
                assertCommissionStatement(c, Level.PARTNER, partner, rated);
            }
            assertCommissionStatement(c, Level.DISTRIBUTOR, c.distributor(), rated);
            // the roll-ups themselves are FINAL at every level, with the same values as while OPEN
            for (var level : List.of(Level.TENANT, Level.PARTNER, Level.DISTRIBUTOR)) {
                List<String> ids = level == Level.TENANT ? c.tenants() : level == Level.PARTNER ? c.partners() : List.of(c.distributor());
                for (String id : ids) {
                    JsonNode w = oneWindow(api.get(tokens.get("admin"), usagePath(level.name().toLowerCase(), id, "MONTH", null))
                            .requireStatus(200).json());
                    assertThat(w.get("status").asText()).as(level + " " + id + " MONTH window").isEqualTo("FINAL");
                    assertWindow(level + " " + id, w, rated.totals(level, id).get(c.currency()));
                    // written FINAL by the pipeline after the closing usage was produced
                    assertWrittenBetween(level + " " + id, w, t0, Instant.now());
                }
            }
        }
        figures.add(String.format("whole close (produce, FINAL, every statement checked): %.1f s",
                Duration.between(t0, Instant.now()).toMillis() / 1000.0));
    }

    // --- 5. health that tells the truth ------------------------------------------------------------

    /**
     * Last, since it ends the job: the API's health check "rating-job" is green while the job runs,
     * and turns red within 30 s of the job failing (its process killed, as a crash would). The API
     * watches the job's consumer group and Flink's REST API (RunningSystem points it at both).
     */
    @Test
    @Order(8)
    void theRatingJobHealthCheckTurnsRedWithin30SecondsOfTheJobFailing() throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        java.net.http.HttpRequest health = java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(run.system.apiAdminUrl() + "/healthcheck")).timeout(Duration.ofSeconds(20)).build();
        Instant deadline = Instant.now().plusSeconds(120);
        JsonNode check = null;
        while (Instant.now().isBefore(deadline)) {
            check = Api.JSON.readTree(http.send(health, java.net.http.HttpResponse.BodyHandlers.ofString()).body()).path("rating-job");
            if (check.path("healthy").asBoolean()) {
                break;
            }
            Thread.sleep(1000);
        }
        assertThat(check.path("healthy").asBoolean()).as("rating-job while the job runs: %s", check).isTrue();
        assertThat(check.path("message").asText()).contains("RUNNING");

        Instant killed = Instant.now();
        run.system.killPipeline();
        Duration red = null;
        while (Duration.between(killed, Instant.now()).toSeconds() < 60) {
            check = Api.JSON.readTree(http.send(health, java.net.http.HttpResponse.BodyHandlers.ofString()).body()).path("rating-job");
            if (!check.path("healthy").asBoolean(true)) {
                red = Duration.between(killed, Instant.now());
                break;
            }
            Thread.sleep(500);
        }
        assertThat(red).as("rating-job after the job failed: %s", check).isNotNull();
        figures.add(String.format("health check red %.1f s after the job failed: %s", red.toMillis() / 1000.0,
                check.path("message").asText()));
        assertThat(red).isLessThan(Duration.ofSeconds(30));
    }

    // --- the journeys' onboarding ----------------------------------------------------------------

    /**
     * Service-provider sales: the platform writes the price book, a commission framework (graduated
     * partner share, flat distributor share) and the distributor, and puts the distributor on the
     * framework; the distributor onboards two partners; partner A (no plan: inherits the
     * distributor's framework) onboards two tenants and creates subscriptions; partner B defines and
     * assigns its own flat plan, onboards a tenant and creates a subscription; the platform creates
     * the remaining subscriptions.
     */
    private Channel onboardServiceProvider(String d, String pa, String pb) {
        String admin = tokens.get("admin");
        String book = "sp-" + r + "-usd", gold = "sp-" + r + "-gold", pbOwn = pb + "-own";
        PriceBook usd = new PriceBook(book, "Service provider USD " + r, "USD", List.of(
                Rate.of("compute.vcpu.hours", null, Model.PER_UNIT, "0", Tier.of(null, "0.045")),
                Rate.of("compute.vcpu.hours", "eu-west", Model.PER_UNIT, "0", Tier.of(null, "0.052")),
                Rate.of("storage.gb.hours", null, Model.GRADUATED, "100", Tier.of("1000", "0.0004"), Tier.of(null, "0.0003")),
                Rate.of("network.egress.gb", null, Model.VOLUME, "0", Tier.of("100", "0.09"), Tier.of("500", "0.07"), Tier.of(null, "0.05")),
                Rate.of("licence.seat.days", null, Model.PER_UNIT, "5", Tier.of(null, "1.20"))));
        Share goldPartner = Share.graduated(Tier.of("20", "0.10"), Tier.of(null, "0.15"));
        Share goldDistributor = Share.flat("0.06");
        Share pbShare = Share.flat("0.12");

        created(api.put(admin, "/v1/price-books/" + book, usd.json(periodStart)));
        expected.book(usd);
        created(api.put(admin, "/v1/commission-plans/" + gold, Api.obj("name", "Gold framework " + r, "owner", "PLATFORM",
                "effectiveFrom", periodStart, "partnerShare", goldPartner.json(), "distributorShare", goldDistributor.json())));
        expected.plan(gold, new PlanVersion(periodStart, goldPartner, goldDistributor));
        created(api.put(admin, "/v1/distributors/" + d, node("Service provider distributor", null, null)));
        adminUser(admin, "distributor", d);
        api.put(admin, "/v1/distributors/" + d + "/commission-plan", Api.obj("planId", gold, "effectiveFrom", periodStart)).requireStatus(200);
        expected.distributor(d, gold);

        String dToken = tokens.get(d);
        created(api.put(dToken, "/v1/partners/" + pa, node("Partner A", "distributorId", d)));
        created(api.put(dToken, "/v1/partners/" + pb, node("Partner B", "distributorId", d)));
        adminUser(dToken, "partner", pa);
        adminUser(dToken, "partner", pb);
        expected.partner(pa, d, null);
        expected.partner(pb, d, pbOwn);

        Map<String, String> tenants = new LinkedHashMap<>();
        Map<String, String> subscriptions = new LinkedHashMap<>();
        String paToken = tokens.get(pa), pbToken = tokens.get(pb);
        for (String t : List.of(pa + "-t1", pa + "-t2")) {
            created(api.put(paToken, "/v1/tenants/" + t, node("Tenant " + t, "partnerId", pa)));
            adminUser(paToken, "tenant", t);
            tenants.put(t, pa);
        }
        created(api.put(pbToken, "/v1/tenants/" + pb + "-t1", node("Tenant of B", "partnerId", pb)));
        tenants.put(pb + "-t1", pb);
        created(api.put(pbToken, "/v1/commission-plans/" + pbOwn, Api.obj("name", "B's own plan", "owner", "PARTNER", "ownerId", pb,
                "effectiveFrom", periodStart, "partnerShare", pbShare.json())));
        expected.plan(pbOwn, new PlanVersion(periodStart, pbShare, null));
        api.put(pbToken, "/v1/partners/" + pb + "/commission-plan", Api.obj("planId", pbOwn, "effectiveFrom", periodStart)).requireStatus(200);

        // subscriptions: the platform admin creates some, the partners the others
        Map<String, String> writers = new LinkedHashMap<>();
        writers.put(pa + "-t1-s1", admin);
        writers.put(pa + "-t1-s2", paToken);
        writers.put(pa + "-t2-s1", paToken);
        writers.put(pb + "-t1-s1", admin);
        writers.put(pb + "-t1-s2", pbToken);
        writers.forEach((s, token) -> {
            String tenant = s.substring(0, s.lastIndexOf('-'));
            created(api.put(token, "/v1/subscriptions/" + s, subscription(tenant, book)));
            subscriptions.put(s, tenant);
        });
        // the tenant and subscription that carry the usage closing the period (its own, so journeys' numbers stay clean)
        String clock = "sp-" + r + "-clock";
        created(api.put(admin, "/v1/tenants/" + clock, node("Period-closing clock", "partnerId", pa)));
        created(api.put(admin, "/v1/subscriptions/" + clock + "-s1", subscription(clock, book)));
        tenants.forEach(expected::tenant);
        subscriptions.forEach((s, t) -> expected.subscription(s, t, book));
        expected.tenant(clock, pa);
        expected.subscription(clock + "-s1", clock, book);

        // delegation has limits: a tenant creates no subscription, a partner no tenant under another partner
        Api.Answer tenantTries = api.put(tokens.get(pa + "-t1"), "/v1/subscriptions/" + pa + "-t1-s9", subscription(pa + "-t1", book));
        assertThat(tenantTries.status()).as(tenantTries.toString()).isEqualTo(403);
        Api.Answer crossing = api.put(paToken, "/v1/tenants/" + pa + "-t9", node("Across", "partnerId", pb));
        assertThat(crossing.status()).as(crossing.toString()).isEqualTo(422);
        assertThat(crossing.json().get("message").asText()).startsWith("partnerId");

        // what the layers see of what they built
        assertThat(children(dToken, "distributors", d)).containsExactlyInAnyOrder(pa, pb);
        assertThat(children(paToken, "partners", pa)).containsExactlyInAnyOrder(pa + "-t1", pa + "-t2", clock);
        JsonNode a = api.get(dToken, "/v1/partners/" + pa).requireStatus(200).json();
        assertThat(a.get("commissionPlanId").isNull()).as("partner A inherits: " + a).isTrue();
        JsonNode b = api.get(pbToken, "/v1/partners/" + pb).requireStatus(200).json();
        assertThat(b.get("commissionPlanId").asText()).isEqualTo(pbOwn);
        JsonNode sub = api.get(tokens.get(pa + "-t1"), "/v1/subscriptions/" + pa + "-t1-s2").requireStatus(200).json();
        assertThat(sub.get("tenantId").asText()).isEqualTo(pa + "-t1");
        assertThat(sub.get("priceBookId").asText()).isEqualTo(book);

        String s1 = pa + "-t1-s1", s2 = pa + "-t1-s2", s3 = pa + "-t2-s1", s4 = pb + "-t1-s1", s5 = pb + "-t1-s2";
        Instant day = periodEnd.minus(Duration.ofDays(2));
        List<Usage> events = new ArrayList<>(List.of(
                ev("sp", 1, s1, "compute.vcpu.hours", "10.5", day, 0, 10, null),
                ev("sp", 2, s1, "storage.gb.hours", "80", day, 0, 20, null),                // within the included 100
                ev("sp", 3, s4, "compute.vcpu.hours", "100", day, 0, 30, "eu-west"),      // the region's own rate
                ev("sp", 4, s1, "network.egress.gb", "90", day, 1, 5, null),
                ev("sp", 5, s3, "network.egress.gb", "60", day, 1, 15, null),
                ev("sp", 6, s1, "compute.vcpu.hours", "8", day, 2, 0, "eu-west"),
                ev("sp", 7, s1, "network.egress.gb", "20", day, 2, 30, "us-east"),        // VOLUME: crosses 100, a negative increase
                ev("sp", 8, s2, "compute.vcpu.hours", "20", day, 3, 0, "us-east"),        // no rate of its own: the fallback
                ev("sp", 9, s5, "storage.gb.hours", "2000.123456789", day, 3, 40, null),  // both GRADUATED tiers at once
                ev("sp", 10, s1, "storage.gb.hours", "500", day, 4, 0, null),
                ev("sp", 11, s3, "storage.gb.hours", "412.5", day, 5, 0, null),           // 0.125: half-even to 0.12
                ev("sp", 12, s4, "network.egress.gb", "150", day, 6, 0, null),
                ev("sp", 13, s1, "licence.seat.days", "3", day, 7, 0, null),
                ev("sp", 14, s2, "licence.seat.days", "10", day, 8, 0, null),
                ev("sp", 15, s1, "storage.gb.hours", "900", day, 9, 0, null),             // into the second GRADUATED tier
                ev("sp", 16, s5, "compute.vcpu.hours", "33.333333333", day, 10, 0, null),
                ev("sp", 17, s1, "licence.seat.days", "4", day, 11, 0, null),             // past the included 5
                ev("sp", 18, s4, "licence.seat.days", "6", day, 12, 0, null),
                ev("sp", 19, s1, "network.egress.gb", "400", day, 13, 0, null),           // VOLUME: the last tier
                ev("sp", 20, s1, "compute.vcpu.hours", "4.25", day, 14, 0, "us-east")));
        events.add(12, events.get(11));                                                    // a duplicate: counted once
        events.add(ev("sp", 21, s3, "compute.vcpu.hours", "-5", day, 15, 0, null));       // INVALID: never rated
        return new Channel("service provider", "USD", d, List.of(pa, pb), tenants, subscriptions, events);
    }

    /**
     * Enterprise internal reseller: the platform writes the charge-back book and central IT; central IT
     * onboards two divisions, writes a plan of its own (graduated) and puts division B on it, and
     * onboards division B's department; division A (no plan, nor has central IT: the platform default)
     * onboards its departments and a project; the platform and division B create the other projects.
     */
    private Channel onboardEnterprise(String it, String divA, String divB) {
        String admin = tokens.get("admin");
        String book = "corp-" + r + "-eur", divPlan = it + "-division-plan";
        PriceBook eur = new PriceBook(book, "Internal charge-back EUR " + r, "EUR", List.of(
                Rate.of("compute.vcpu.hours", null, Model.PER_UNIT, "0", Tier.of(null, "0.038")),
                Rate.of("compute.vcpu.hours", "eu-central", Model.PER_UNIT, "0", Tier.of(null, "0.041")),
                Rate.of("storage.gb.hours", null, Model.VOLUME, "0", Tier.of("2000", "0.00025"), Tier.of(null, "0.0002")),
                Rate.of("network.egress.gb", null, Model.GRADUATED, "10", Tier.of("200", "0.06"), Tier.of(null, "0.04")),
                Rate.of("licence.seat.days", null, Model.PER_UNIT, "3", Tier.of(null, "0.95"))));
        Share divisionShare = Share.graduated(Tier.of("10", "0.05"), Tier.of(null, "0.08"));

        created(api.put(admin, "/v1/price-books/" + book, eur.json(periodStart)));
        expected.book(eur);
        created(api.put(admin, "/v1/distributors/" + it, node("Central IT", null, null)));
        adminUser(admin, "distributor", it);
        expected.distributor(it, null);

        String itToken = tokens.get(it);
        created(api.put(itToken, "/v1/partners/" + divA, node("Division A", "distributorId", it)));
        created(api.put(itToken, "/v1/partners/" + divB, node("Division B", "distributorId", it)));
        adminUser(itToken, "partner", divA);
        adminUser(itToken, "partner", divB);
        created(api.put(itToken, "/v1/commission-plans/" + divPlan, Api.obj("name", "Division plan", "owner", "DISTRIBUTOR",
                "ownerId", it, "effectiveFrom", periodStart, "partnerShare", divisionShare.json())));
        expected.plan(divPlan, new PlanVersion(periodStart, divisionShare, null));
        api.put(itToken, "/v1/partners/" + divB + "/commission-plan", Api.obj("planId", divPlan, "effectiveFrom", periodStart))
                .requireStatus(200);
        expected.partner(divA, it, null);
        expected.partner(divB, it, divPlan);

        String aFin = "corp-" + r + "-a-fin", aHr = "corp-" + r + "-a-hr", bEng = "corp-" + r + "-b-eng";
        String divAToken = tokens.get(divA), divBToken = tokens.get(divB);
        Map<String, String> tenants = new LinkedHashMap<>();
        created(api.put(divAToken, "/v1/tenants/" + aFin, node("Finance", "partnerId", divA)));
        adminUser(divAToken, "tenant", aFin);
        created(api.put(divAToken, "/v1/tenants/" + aHr, node("Human resources", "partnerId", divA)));
        created(api.put(itToken, "/v1/tenants/" + bEng, node("Engineering", "partnerId", divB)));
        tenants.put(aFin, divA);
        tenants.put(aHr, divA);
        tenants.put(bEng, divB);

        String ledger = aFin + "-ledger", payroll = aHr + "-payroll", ci = bEng + "-ci", ml = bEng + "-ml";
        Map<String, String> subscriptions = new LinkedHashMap<>();
        created(api.put(admin, "/v1/subscriptions/" + ledger, subscription(aFin, book)));
        created(api.put(divAToken, "/v1/subscriptions/" + payroll, subscription(aHr, book)));
        created(api.put(admin, "/v1/subscriptions/" + ci, subscription(bEng, book)));
        created(api.put(divBToken, "/v1/subscriptions/" + ml, subscription(bEng, book)));
        subscriptions.put(ledger, aFin);
        subscriptions.put(payroll, aHr);
        subscriptions.put(ci, bEng);
        subscriptions.put(ml, bEng);
        tenants.forEach(expected::tenant);
        subscriptions.forEach((s, t) -> expected.subscription(s, t, book));

        assertThat(children(itToken, "distributors", it)).containsExactlyInAnyOrder(divA, divB);
        assertThat(children(divBToken, "tenants", bEng)).containsExactlyInAnyOrder(ci, ml);
        JsonNode a = api.get(itToken, "/v1/partners/" + divA).requireStatus(200).json();
        assertThat(a.get("commissionPlanId").isNull()).as("division A inherits: " + a).isTrue();

        Instant day = periodEnd.minus(Duration.ofDays(1));
        List<Usage> events = new ArrayList<>(List.of(
                ev("corp", 1, ledger, "compute.vcpu.hours", "40", day, 0, 5, "eu-central"),
                ev("corp", 2, ci, "compute.vcpu.hours", "200", day, 0, 45, null),
                ev("corp", 3, ml, "storage.gb.hours", "1500", day, 1, 10, null),
                ev("corp", 4, ml, "storage.gb.hours", "700", day, 2, 20, null),            // VOLUME: cheaper tier, the whole lot re-priced
                ev("corp", 5, payroll, "licence.seat.days", "2", day, 3, 0, null),
                ev("corp", 6, payroll, "licence.seat.days", "5", day, 3, 30, null),
                ev("corp", 7, ledger, "network.egress.gb", "8", day, 4, 0, null),          // within the included 10
                ev("corp", 8, ledger, "network.egress.gb", "150", day, 5, 0, null),
                ev("corp", 9, ci, "network.egress.gb", "250", day, 6, 0, null),            // GRADUATED across both tiers
                ev("corp", 10, ml, "compute.vcpu.hours", "12.75", day, 7, 0, "eu-central"),
                ev("corp", 11, ci, "compute.vcpu.hours", "64.5", day, 8, 0, "eu-west"),    // no rate of its own: the fallback
                ev("corp", 12, ledger, "storage.gb.hours", "333.333333333", day, 9, 0, null),
                ev("corp", 13, payroll, "compute.vcpu.hours", "7.5", day, 10, 0, null),   // 0.285: half-even to 0.28
                ev("corp", 14, ml, "licence.seat.days", "10", day, 11, 0, null)));
        events.add(9, events.get(8));                                                       // a duplicate: counted once
        return new Channel("enterprise", "EUR", it, List.of(divA, divB), tenants, subscriptions, events);
    }

    // --- 8. the dashboard, in a real browser, on this same running system --------------------------------

    @Test
    @Order(8)
    void theDashboardShowsEachCallerItsOwnChannelWithTheApisNumbers() throws Exception {
        assumeTrue(!smoke, "the dashboard's checks read the closed period's statements");
        new DashboardChecks(run, tokens, figures::add).check(dashboardView(sp), dashboardView(corp), period);
    }

    private DashboardChecks.Channel dashboardView(Channel c) {
        String tenant = c.tenants().stream().sorted().findFirst().orElseThrow();
        List<String> subscriptions = c.subscriptionTenant().entrySet().stream().filter(e -> e.getValue().equals(tenant))
                .map(Map.Entry::getKey).sorted().toList();
        return new DashboardChecks.Channel(c.distributor(), c.partners(), tenant, c.tenantPartner().get(tenant), subscriptions,
                c.currency());
    }

    // --- usage and its visibility ----------------------------------------------------------------------

    private void produceAndWatch(Channel c) throws Exception {
        List<Usage> events = new ArrayList<>(c.events());
        events.sort(Comparator.comparing(Usage::eventTime)); // per partition in event-time order: none of it late
        Instant t0 = Instant.now();
        PythonProducer.Report report = new PythonProducer(run.stack.kafkaBootstrap(), run.stack.registryUrl(), run.usageTopic)
                .produce(events);
        Instant acked = Instant.now();
        sent.addAll(events);
        ExpectedRating.Period rated = expected.rate(sent, period);

        // who reads: the distributor, every partner, and the first tenant, each with its own token
        Map<String, String[]> readers = new LinkedHashMap<>();
        String tenant = c.tenants().get(0);
        readers.put("tenant " + tenant, new String[] {"tenant", tenant, tenant});
        for (String p : c.partners()) {
            readers.put("partner " + p, new String[] {"partner", p, p});
        }
        readers.put("distributor " + c.distributor(), new String[] {"distributor", c.distributor(), c.distributor()});
        Map<String, Duration> seen = new LinkedHashMap<>();
        eventually(c.label() + " spend visible at every level", VISIBLE_WITHIN.plusSeconds(10), () -> {
            for (Map.Entry<String, String[]> e : readers.entrySet()) {
                if (seen.containsKey(e.getKey())) {
                    continue;
                }
                String[] who = e.getValue();
                Level level = Level.valueOf(who[0].toUpperCase());
                JsonNode w = oneWindow(api.get(tokens.get(who[2]), usagePath(who[0], who[1], "MONTH", null)).requireStatus(200).json());
                assertWindow(e.getKey(), w, rated.totals(level, who[1]).get(c.currency()));
                assertThat(w.get("status").asText()).isEqualTo("OPEN");
                // the values include this usage, so they were written after it was produced
                assertWrittenBetween(e.getKey(), w, t0, Instant.now());
                seen.put(e.getKey(), Duration.between(acked, Instant.now()));
            }
            return null;
        });
        Duration slowest = seen.values().stream().max(Comparator.naturalOrder()).orElseThrow();
        StringBuilder line = new StringBuilder();
        seen.forEach((who, d) -> line.append(String.format("%s %.1f s, ", who, d.toMillis() / 1000.0)));
        String figure = String.format("%s: %d records by the Python client in %.1f s (partitions %s); spend visible %.1f s after the last ack (%s)",
                c.label(), report.delivered(), Duration.between(t0, acked).toMillis() / 1000.0, report.partitions(),
                slowest.toMillis() / 1000.0, line.substring(0, line.length() - 2));
        figures.add(figure);
        System.out.println("[e2e] " + figure);
        assertThat(slowest).as("spend visible at every level").isLessThanOrEqualTo(VISIBLE_WITHIN);
    }

    // --- assertions ----------------------------------------------------------------------------------

    private void assertWindow(String who, JsonNode window, Totals t) {
        JsonNode amounts = window.get("amounts");
        assertThat(amounts).as(who + " amounts " + window).hasSize(1);
        JsonNode a = amounts.get(0);
        assertThat(a.get("currency").asText()).isEqualTo(t.currency());
        assertThat(a.get("eventCount").asLong()).as(who + " event count " + window).isEqualTo(t.eventCount());
        assertAmount(who + " amount", a.get("amount"), t.amount());
        t.partnerCommission().ifPresent(x -> assertAmount(who + " partner commission", a.get("partnerCommission"), x));
        t.distributorCommission().ifPresent(x -> assertAmount(who + " distributor commission", a.get("distributorCommission"), x));
    }

    /** A window's updatedAt (when the pipeline last wrote its values) is an ISO-8601 UTC instant in [after, before]. */
    private static void assertWrittenBetween(String who, JsonNode window, Instant after, Instant before) {
        JsonNode updatedAt = window.get("updatedAt");
        assertThat(updatedAt).as(who + " updatedAt in " + window).isNotNull();
        assertThat(updatedAt.isTextual()).as(who + " updatedAt in " + window).isTrue();
        assertThat(updatedAt.asText()).endsWith("Z");
        assertThat(Instant.parse(updatedAt.asText())).as(who + " updatedAt").isBetween(after, before);
    }

    private void assertStatement(Channel c, String tenant, ExpectedRating.Period rated) throws Exception {
        // the tenant's partner reads it (the first tenant of each channel reads its own)
        String reader = tokens.containsKey(tenant) ? tokens.get(tenant) : tokens.get(c.tenantPartner().get(tenant));
        JsonNode s = eventually("statement of " + tenant, Duration.ofSeconds(30), () ->
                api.get(reader, "/v1/statements/" + tenant + Api.query("period", period)).requireStatus(200).json());
        assertThat(s.get("status").asText()).isEqualTo("FINAL");
        List<Line> lines = rated.statement(tenant);
        List<String> expectedLines = lines.stream().map(l -> String.join(" ", l.subscriptionId(), l.meterId(), l.currency(),
                Long.toString(l.eventCount()), l.quantity().stripTrailingZeros().toPlainString(), l.amount().toPlainString())).toList();
        List<String> actualLines = new ArrayList<>();
        Map<String, JsonNode> unrounded = new HashMap<>();
        for (JsonNode l : s.get("lines")) {
            actualLines.add(String.join(" ", l.get("subscriptionId").asText(), l.get("meterId").asText(), l.get("currency").asText(),
                    l.get("eventCount").asText(), new BigDecimal(l.get("quantity").asText()).stripTrailingZeros().toPlainString(),
                    ExpectedRating.round(new BigDecimal(l.get("amount").asText()), l.get("currency").asText()).toPlainString()));
            unrounded.put(l.get("subscriptionId").asText() + " " + l.get("meterId").asText(), l.get("unroundedAmount"));
        }
        assertThat(actualLines).as("statement lines of " + tenant + " (subscription meter currency events quantity amount)")
                .containsExactlyElementsOf(expectedLines);
        lines.forEach(l -> assertAmount(tenant + " " + l.subscriptionId() + " " + l.meterId() + " unrounded",
                unrounded.get(l.subscriptionId() + " " + l.meterId()), l.unrounded()));
        Map<String, BigDecimal> totals = new TreeMap<>();
        s.get("totals").forEach(t -> totals.put(t.get("currency").asText(), new BigDecimal(t.get("amount").asText())));
        Map<String, BigDecimal> expectedTotals = rated.statementTotals(tenant);
        assertThat(totals.keySet()).isEqualTo(expectedTotals.keySet());
        expectedTotals.forEach((cur, v) -> assertThat(totals.get(cur)).as(tenant + " statement total " + cur).isEqualByComparingTo(v));
        System.out.printf("[e2e] statement %s %s: %d lines, total %s%n", tenant, period, lines.size(), totals);
    }

    private void assertCommissionStatement(Channel c, Level level, String id, ExpectedRating.Period rated) throws Exception {
        String path = "/v1/commissions/" + level.name().toLowerCase() + "/" + id + Api.query("period", period);
        JsonNode s = eventually("commission statement of " + id, Duration.ofSeconds(30), () -> {
            JsonNode n = api.get(tokens.get(id), path).requireStatus(200).json();
            assertThat(n.get("status").asText()).as(path + " " + n).isEqualTo("FINAL");
            return n;
        });
        Totals t = rated.totals(level, id).get(c.currency());
        BigDecimal commission = (level == Level.PARTNER ? t.partnerCommission() : t.distributorCommission()).orElseThrow();
        JsonNode total = s.get("totals").get(0);
        assertThat(s.get("totals")).hasSize(1);
        assertThat(total.get("currency").asText()).isEqualTo(c.currency());
        assertCents(id + " commission statement: amount", total.get("amount"), t.amount(), c.currency());
        assertCents(id + " commission statement: commission", total.get("commission"), commission, c.currency());
        Map<String, Map<String, Totals>> children = rated.children(level, id);
        Map<String, JsonNode> actual = new TreeMap<>();
        s.get("children").forEach(n -> actual.put(n.get("childId").asText(), n));
        assertThat(actual.keySet()).as(id + " commission statement's children").isEqualTo(children.keySet());
        BigDecimal childCommissions = BigDecimal.ZERO;
        for (Map.Entry<String, Map<String, Totals>> e : children.entrySet()) {
            Totals ct = e.getValue().get(c.currency());
            JsonNode n = actual.get(e.getKey());
            assertCents(id + " / " + e.getKey() + " amount", n.get("amount"), ct.amount(), c.currency());
            Optional<BigDecimal> earned = level == Level.PARTNER ? ct.partnerCommission() : ct.distributorCommission();
            earned.ifPresent(x -> assertCents(id + " / " + e.getKey() + " commission", n.get("commission"), x, c.currency()));
            childCommissions = childCommissions.add(new BigDecimal(n.get("commission").asText()));
        }
        // under a GRADUATED share the split between children depends on arrival order, never their sum
        assertAmount(id + " children's commissions add up", childCommissions, commission);
        System.out.printf("[e2e] commission statement %s %s %s: amount %s, commission %s %s%n", level.name().toLowerCase(), id, period,
                ExpectedRating.round(t.amount(), c.currency()), ExpectedRating.round(commission, c.currency()), c.currency());
    }

    /** 404 for the outsider, with exactly the answer of a node that does not exist. */
    private void assertLikeMissing(String token, String pathFormat, String outsideId, String missingId) {
        Api.Answer outside = api.get(token, pathFormat.replace("%s", outsideId));
        Api.Answer missing = api.get(token, pathFormat.replace("%s", missingId));
        assertThat(outside.status()).as(outside.toString()).isEqualTo(404);
        assertThat(missing.status()).as(missing.toString()).isEqualTo(404);
        assertThat(outside.body().replace(outsideId, "<id>")).as("outside answers as missing").isEqualTo(missing.body().replace(missingId, "<id>"));
    }

    private static void assertAmount(String what, JsonNode actual, BigDecimal expectedValue) {
        assertThat(actual).as(what + " present").isNotNull();
        assertThat(actual.isTextual()).as(what + " is a decimal string: " + actual).isTrue();
        assertAmount(what, new BigDecimal(actual.asText()), expectedValue);
    }

    private static void assertAmount(String what, BigDecimal actual, BigDecimal expectedValue) {
        assertThat(actual.subtract(expectedValue).abs()).as(what + ": " + actual.toPlainString() + " expected " + expectedValue.toPlainString())
                .isLessThanOrEqualTo(EXACT);
    }

    /** Equal to the cent (half-even to the currency's minor unit), and to 9 places before rounding. */
    private static void assertCents(String what, JsonNode actual, BigDecimal expectedValue, String currency) {
        BigDecimal a = new BigDecimal(actual.asText());
        assertThat(ExpectedRating.round(a, currency)).as(what + " to the cent").isEqualTo(ExpectedRating.round(expectedValue, currency));
        assertAmount(what, a, expectedValue);
    }

    // --- helpers -------------------------------------------------------------------------------------

    /** Makes sure the plan "default" (shared platform reference data) covers the period, and hands its versions to the rating. */
    private void ensureDefaultPlan() {
        String admin = tokens.get("admin");
        Api.Answer existing = api.get(admin, "/v1/commission-plans/" + DEFAULT_PLAN);
        if (existing.status() == 404) {
            created(api.put(admin, "/v1/commission-plans/" + DEFAULT_PLAN, Api.obj("name", "Platform default", "owner", "PLATFORM",
                    "effectiveFrom", periodStart, "partnerShare", Share.flat("0.10").json(), "distributorShare", Share.flat("0.05").json())));
        } else {
            existing.requireStatus(200);
            JsonNode first = null;
            for (JsonNode v : existing.json().get("versions")) {
                if (first == null || Instant.parse(v.get("effectiveFrom").asText()).isBefore(Instant.parse(first.get("effectiveFrom").asText()))) {
                    first = v;
                }
            }
            if (Instant.parse(first.get("effectiveFrom").asText()).isAfter(periodStart)) {
                // the platform's default starts later: the same terms from the period's start
                api.put(admin, "/v1/commission-plans/" + DEFAULT_PLAN, Api.obj("name", first.get("name").asText(), "owner", "PLATFORM",
                        "effectiveFrom", periodStart, "partnerShare", first.get("partnerShare"),
                        "distributorShare", first.get("distributorShare"))).requireStatus(200);
            }
        }
        JsonNode plan = api.get(admin, "/v1/commission-plans/" + DEFAULT_PLAN).requireStatus(200).json();
        for (JsonNode v : plan.get("versions")) {
            expected.plan(DEFAULT_PLAN, new PlanVersion(Instant.parse(v.get("effectiveFrom").asText()), share(v.get("partnerShare")),
                    share(v.get("distributorShare"))));
        }
        System.out.println("[e2e] default plan: " + plan.get("versions"));
    }

    private static Share share(JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        List<Tier> tiers = new ArrayList<>();
        n.get("tiers").forEach(t -> tiers.add(Tier.of(t.get("upTo") == null || t.get("upTo").isNull() ? null : t.get("upTo").asText(),
                t.get("rate").asText())));
        return new Share("GRADUATED".equals(n.get("model").asText()), tiers);
    }

    /** Tokens for the users (name to user id), minted by one run of the API's token command. */
    private void mintTokens(Map<String, String> wanted) {
        List<String> names = new ArrayList<>(wanted.keySet());
        Map<String, String> minted = run.tokens(names.stream().map(wanted::get).toList());
        names.forEach(name -> tokens.put(name, minted.get(wanted.get(name))));
    }

    /** The node's admin ({@code <id>-admin}), written by whoever administers the node. */
    private void adminUser(String writer, String level, String nodeId) {
        created(api.put(writer, "/v1/users/" + nodeId + "-admin", Api.obj("level", level, "orgId", nodeId, "role", "admin",
                "name", "Admin of " + nodeId)));
    }

    private Map<String, Object> node(String name, String parentField, String parentId) {
        Map<String, Object> body = Api.obj("name", name, "effectiveFrom", periodStart, "attributes", Map.of("run", r));
        if (parentField != null) {
            body.put(parentField, parentId);
        }
        return body;
    }

    private Map<String, Object> subscription(String tenant, String book) {
        return Api.obj("name", "Subscription", "tenantId", tenant, "priceBookId", book, "effectiveFrom", periodStart);
    }

    private static void created(Api.Answer a) {
        a.requireStatus(201);
    }

    private List<String> children(String token, String kind, String id) {
        List<String> out = new ArrayList<>();
        api.get(token, "/v1/" + kind + "/" + id + "/children").requireStatus(200).json().get("children")
                .forEach(n -> out.add(n.get("id").asText()));
        return out;
    }

    /** An event at hh:mm of {@code day}; in a smoke run, seconds ago instead (same order). */
    private Usage ev(String channel, int n, String subscription, String meter, String quantity, Instant day, int h, int m, String region) {
        Instant t = smoke ? smokeBase().plusMillis((h * 60L + m) * 100) : day.plus(Duration.ofMinutes(h * 60L + m));
        return Usage.of(channel + "-" + r + "-" + n, subscription, meter, quantity, t, region);
    }

    private Instant smokeBase;

    private Instant smokeBase() {
        if (smokeBase == null) {
            smokeBase = Instant.now().minusSeconds(150);
        }
        return smokeBase;
    }

    private String usagePath(String level, String id, String granularity, String breakdown) {
        return "/v1/usage/" + level + "/" + id + (breakdown == null
                ? Api.query("from", periodStart, "to", periodEnd, "granularity", granularity)
                : Api.query("from", periodStart, "to", periodEnd, "granularity", granularity, "breakdown", breakdown));
    }

    private JsonNode oneWindow(JsonNode usage) {
        JsonNode windows = usage.get("windows");
        assertThat(windows).as("windows of " + usage).hasSize(1);
        return windows.get(0);
    }

    private static Instant start(YearMonth m) {
        return m.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    @FunctionalInterface
    private interface Attempt<T> {
        T get() throws Exception;
    }

    /** Retries until the attempt passes (every 250 ms); at the deadline fails with its last failure. */
    private <T> T eventually(String what, Duration timeout, Attempt<T> attempt) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        Throwable last = null;
        while (true) {
            run.system.requireAlive();
            try {
                return attempt.get();
            } catch (AssertionError | RuntimeException e) {
                last = e;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError(what + ": not within " + timeout.toSeconds() + " s; last: " + last.getMessage(), last);
            }
            Thread.sleep(250);
        }
    }
}
