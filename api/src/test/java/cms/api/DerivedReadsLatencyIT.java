package cms.api;

import cms.stack.LocalStackAddresses;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import io.dropwizard.testing.ResourceHelpers;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.core.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A measurement, not a check (opt-in: {@code infra/bin/test -pl api -Dit.test=DerivedReadsLatencyIT -Dcms.derived.latency=true
 * -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false}): the dashboard's queries of a tenant with 50 subscriptions and
 * 3 meters (-Dlat.subs=N) on the 20th of a month at noon, 19 days FINAL (written 3 hours ago), the 20th OPEN, as rows an
 * older pipeline wrote (the 20th's OPEN DAY row too, which the API ignores, so the reader before issue 13 answers the
 * same; the OPEN MONTH rows, which it serves), about 75,000 rows in the tenant's partition. Prints p50, p95 and the maximum of 40 requests each, after 5. BENCHMARKS.md has the
 * figures, before and after.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class DerivedReadsLatencyIT {
    static final DropwizardAppExtension<ApiConfiguration> APP = new DropwizardAppExtension<>(ApiApplication.class,
            ResourceHelpers.resourceFilePath("it-config.yml"));
    static final LocalStackAddresses STACK = LocalStackAddresses.fromEnvironment();
    static final String RUN = "lat" + ThreadLocalRandom.current().nextInt(1_000_000, 10_000_000);

    String token() {
        return "Bearer " + APP.getConfiguration().getAuth().localIssuer().mint("admin", Duration.ofMinutes(30));
    }

    void put(String path, Map<String, Object> body) {
        Response r = APP.client().target("http://127.0.0.1:" + APP.getLocalPort()).path(path).request()
                .property(org.glassfish.jersey.client.ClientProperties.READ_TIMEOUT, 30_000)
                .header("Authorization", token()).put(Entity.json(body));
        assertThat(r.getStatus()).as(r.readEntity(String.class)).isIn(200, 201);
    }

    @Test
    void measure() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Boolean.getBoolean("cms.derived.latency"), "opt-in: -Dcms.derived.latency=true");
        int subs = Integer.getInteger("lat.subs", 50);
        String d = RUN + "d", p = RUN + "p", t = RUN + "t", pb = RUN + "pb";
        String from = "2026-01-01T00:00:00Z";
        put("/v1/price-books/" + pb, new HashMap<>(Map.of("effectiveFrom", from, "currency", "EUR", "rates", List.of(Map.of(
                "meterId", "compute.vcpu.hours", "model", "GRADUATED",
                "tiers", List.of(Map.of("upTo", "100", "unitPrice", "0.05"), Map.of("unitPrice", "0.04")))))));
        put("/v1/distributors/" + d, new HashMap<>(Map.of("effectiveFrom", from, "name", "D")));
        put("/v1/partners/" + p, new HashMap<>(Map.of("effectiveFrom", from, "distributorId", d)));
        put("/v1/tenants/" + t, new HashMap<>(Map.of("effectiveFrom", from, "partnerId", p)));
        List<String> subIds = new ArrayList<>();
        for (int i = 0; i < subs; i++) {
            String s = RUN + "s" + i;
            subIds.add(s);
            put("/v1/subscriptions/" + s, new HashMap<>(Map.of("effectiveFrom", from, "tenantId", t, "priceBookId", pb)));
        }
        try (CqlSession cql = CqlSession.builder().addContactPoint(new InetSocketAddress(STACK.host(), STACK.cassandraPort()))
                .withLocalDatacenter(LocalStackAddresses.CASSANDRA_DATACENTER).withKeyspace(STACK.keyspace()).build()) {
            PreparedStatement ins = cql.prepare(cms.cassandra.FamilyRollups.INSERT);
            Instant month = Instant.parse("2031-09-01T00:00:00Z");
            String bucket = "2031-09";
            Instant old = Instant.now().minus(Duration.ofHours(3));
            Semaphore inflight = new Semaphore(64);
            List<CompletionStage<?>> pending = new ArrayList<>();
            String[] meters = {"compute.vcpu.hours", "storage.gb", "network.gb"};
            int rows = 0;
            List<String[]> members = new ArrayList<>();
            for (String s : subIds) members.add(new String[] {"TENANT", t, s});
            members.add(new String[] {"PARTNER", p, t});
            for (String[] m : members) {
                for (String meter : meters) {
                    for (int day = 1; day <= 20; day++) {
                        Instant ds = month.plus(Duration.ofDays(day - 1));
                        int hours = day == 20 ? 12 : 24;
                        boolean fin = day < 20;
                        for (int h = 0; h < hours; h++) {
                            Instant hs = ds.plus(Duration.ofHours(h));
                            inflight.acquire();
                            pending.add(cql.executeAsync(ins.bind(m[0], m[1], bucket, "HOUR", m[2], hs, meter, "EUR", d, hs.plusSeconds(3600),
                                    fin ? "FINAL" : "OPEN", 1L, BigDecimal.ONE, new BigDecimal("0.05"), new BigDecimal("0.005"),
                                    new BigDecimal("0.0025"), 0L, BigDecimal.ZERO, old, fin ? (1L << 62) + 1024 : 1024L))
                                    .whenComplete((r, e) -> inflight.release()));
                            rows++;
                        }
                        inflight.acquire();
                        pending.add(cql.executeAsync(ins.bind(m[0], m[1], bucket, "DAY", m[2], ds, meter, "EUR", d, ds.plus(Duration.ofDays(1)),
                                fin ? "FINAL" : "OPEN", (long) hours, new BigDecimal(hours), new BigDecimal("0.05").multiply(new BigDecimal(hours)),
                                new BigDecimal("0.005").multiply(new BigDecimal(hours)), new BigDecimal("0.0025").multiply(new BigDecimal(hours)),
                                0L, BigDecimal.ZERO, old, fin ? (1L << 62) + 1024 : 1024L)).whenComplete((r, e) -> inflight.release()));
                        rows++;
                    }
                    // an OPEN MONTH row as the pipeline writes it: the MONTH windows served
                    long n = 19 * 24 + 12;
                    inflight.acquire();
                    pending.add(cql.executeAsync(ins.bind(m[0], m[1], bucket, "MONTH", m[2], month, meter, "EUR", d, Instant.parse("2031-10-01T00:00:00Z"),
                            "OPEN", n, new BigDecimal(n), new BigDecimal("0.05").multiply(new BigDecimal(n)),
                            new BigDecimal("0.005").multiply(new BigDecimal(n)), new BigDecimal("0.0025").multiply(new BigDecimal(n)),
                            0L, BigDecimal.ZERO, old, 1024L)).whenComplete((r, e) -> inflight.release()));
                    rows++;
                }
            }
            for (CompletionStage<?> c : pending) c.toCompletableFuture().get();
            System.out.println("LAT rows written " + rows);
        }
        String[][] queries = {
                {"MONTH tenant meter,child", "/v1/usage/tenant/" + t, "MONTH", "2031-09-01T00:00:00Z", "2031-10-01T00:00:00Z", "meter,child"},
                {"DAY tenant child", "/v1/usage/tenant/" + t, "DAY", "2031-09-01T00:00:00Z", "2031-10-01T00:00:00Z", "child"},
                {"HOUR tenant today", "/v1/usage/tenant/" + t, "HOUR", "2031-09-20T00:00:00Z", "2031-09-21T00:00:00Z", ""},
                {"MONTH tenant 10 years", "/v1/usage/tenant/" + t, "MONTH", "2022-01-01T00:00:00Z", "2031-12-31T00:00:00Z", "meter"},
        };
        for (String[] q : queries) {
            long[] ms = new long[40];
            String body = null;
            for (int i = -5; i < ms.length; i++) {
                var target = APP.client().target("http://127.0.0.1:" + APP.getLocalPort()).path(q[1]).queryParam("granularity", q[2])
                        .queryParam("from", q[3]).queryParam("to", q[4]);
                if (!q[5].isEmpty()) target = target.queryParam("breakdown", q[5]);
                long t0 = System.nanoTime();
                Response r = target.request().header("Authorization", token()).get();
                body = r.readEntity(String.class);
                long el = System.nanoTime() - t0;
                assertThat(r.getStatus()).isEqualTo(200);
                if (i >= 0) ms[i] = el;
            }
            Arrays.sort(ms);
            System.out.printf("LAT %s: p50 %.1f ms, p95 %.1f ms, max %.1f ms, %d bytes%n", q[0], ms[20] / 1e6, ms[37] / 1e6, ms[39] / 1e6, body.length());
        }
    }
}
