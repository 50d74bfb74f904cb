package cms.pipeline.rollup;

import cms.avro.NodeLevel;
import cms.pipeline.Keys;
import cms.pipeline.model.RatedEvent;
import cms.pipeline.model.RollupRow;
import cms.pipeline.sink.RollupStatements;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static cms.pipeline.Fixtures.at;
import static cms.pipeline.Fixtures.money;
import static cms.pipeline.Fixtures.usage;
import static org.assertj.core.api.Assertions.assertThat;

@SuppressWarnings("try")
class RollupFunctionTest {
    private static final Duration LATENESS = Duration.ofHours(1);
    private static final Duration REFRESH = Duration.ofSeconds(2);
    private static final Duration MAX_REFRESH = Duration.ofSeconds(30);

    static RatedEvent rated(String id, String q, String amount, String time, boolean late, String bookingTime) {
        RatedEvent e = new RatedEvent();
        e.event = usage(id, "s1", "vcpu", q, time);
        e.tenantId = "t1";
        e.partnerId = "p1";
        e.distributorId = "d1";
        e.currency = "EUR";
        e.amount = money(amount);
        e.partnerCommission = money(amount).multiply(new java.math.BigDecimal("0.1"));
        e.distributorCommission = money("0");
        e.period = time.substring(0, 7);
        e.lateAdjustment = late;
        e.bookingTime = at(bookingTime).toEpochMilli();
        e.bookedPeriod = bookingTime.substring(0, 7);
        return e;
    }

    private static List<RollupRow> contributions(RatedEvent e) {
        List<RollupRow> rows = new ArrayList<>();
        new ContributionsFunction().flatMap(e, new Collector<>() {
            @Override
            public void collect(RollupRow r) {
                rows.add(r);
            }

            @Override
            public void close() {}
        });
        return rows;
    }

    @Test
    void everyEventReachesEveryLevelAndGranularityNamingTheParent() {
        List<RollupRow> rows = contributions(rated("e1", "2", "3", "2026-01-10T10:15:00Z", false, "2026-01-10T10:15:00Z"));
        assertThat(rows).hasSize(12).noneMatch(RollupRow::byChild);
        assertThat(rows).extracting(r -> r.level + "/" + r.granularity + "<" + RollupRow.parentLevelOf(r.level) + ":" + r.parentId)
                .containsExactlyInAnyOrder("SUBSCRIPTION/HOUR<TENANT:t1", "TENANT/HOUR<PARTNER:p1", "PARTNER/HOUR<DISTRIBUTOR:d1", "DISTRIBUTOR/HOUR<:",
                        "SUBSCRIPTION/DAY<TENANT:t1", "TENANT/DAY<PARTNER:p1", "PARTNER/DAY<DISTRIBUTOR:d1", "DISTRIBUTOR/DAY<:",
                        "SUBSCRIPTION/MONTH<TENANT:t1", "TENANT/MONTH<PARTNER:p1", "PARTNER/MONTH<DISTRIBUTOR:d1", "DISTRIBUTOR/MONTH<:");
        RollupRow month = rows.stream().filter(r -> r.granularity.equals("MONTH") && r.level.equals(NodeLevel.PARTNER.name()))
                .findFirst().orElseThrow();
        assertThat(month.bucket).isEqualTo("2026");
        assertThat(month.windowStart).isEqualTo(at("2026-01-01T00:00:00Z").toEpochMilli());
        assertThat(month.windowEnd).isEqualTo(at("2026-02-01T00:00:00Z").toEpochMilli());
        RollupRow hour = rows.stream().filter(r -> r.granularity.equals("HOUR")).findFirst().orElseThrow();
        assertThat(hour.bucket).isEqualTo("2026-01");
        assertThat(hour.windowStart).isEqualTo(at("2026-01-10T10:00:00Z").toEpochMilli());
    }

    @Test
    void aWindowChangedByUsageThatWaitedInKafkaIsRefreshedAfterATenthOfTheWaitAtMostTheMaximum() throws Exception {
        try (var h = ProcessFunctionTestHarnesses.forKeyedProcessFunction(new RollupFunction(LATENESS, REFRESH, MAX_REFRESH), new Keys.Rollup(), Types.STRING)) {
            long now = at("2026-01-10T11:00:00Z").toEpochMilli();
            h.setProcessingTime(now);
            // three subscriptions' HOUR windows: live usage, usage that waited 150 s, usage that waited an hour
            String[] subs = {"live", "waited", "backlog"};
            long[] waited = {40, 150_000, 3_600_000};
            for (int i = 0; i < subs.length; i++) {
                RatedEvent e = rated("e" + i, "1", "1", "2026-01-10T10:15:00Z", false, "2026-01-10T10:15:00Z");
                e.event.setSubscriptionId(subs[i]);
                e.receivedAt = now - waited[i];
                h.processElement(contributions(e).get(0), 0);
            }
            h.setProcessingTime(now + REFRESH.toMillis());
            assertThat(h.extractOutputValues()).extracting(r -> r.nodeId).containsOnly("live", "t1").hasSize(2);
            h.setProcessingTime(now + 14_999);
            assertThat(h.extractOutputValues()).hasSize(2);
            h.setProcessingTime(now + 15_000);
            assertThat(h.extractOutputValues()).hasSize(4).last().extracting(r -> r.childId).isEqualTo("waited");
            h.setProcessingTime(now + MAX_REFRESH.toMillis() - 1);
            assertThat(h.extractOutputValues()).hasSize(4);
            h.setProcessingTime(now + MAX_REFRESH.toMillis());
            assertThat(h.extractOutputValues()).hasSize(6).last().extracting(r -> r.childId).isEqualTo("backlog");
        }
        assertThat(RollupFunction.refreshDelay(1_000, 2_000, 2_000, 30_000)).as("a clock skewed ahead of now").isEqualTo(2_000);
        assertThat(RollupFunction.refreshDelay(100_000, 0, 2_000, 2_000)).as("no stretch when the maximum is the interval").isEqualTo(2_000);
    }

    @Test
    void openWindowsRefreshThenTurnFinalOnceAndLeaveNoState() throws Exception {
        try (var h = ProcessFunctionTestHarnesses.forKeyedProcessFunction(new RollupFunction(LATENESS, REFRESH, MAX_REFRESH), new Keys.Rollup(), Types.STRING)) {
            h.setProcessingTime(0);
            RatedEvent a = rated("e1", "2", "3", "2026-01-10T10:15:00Z", false, "2026-01-10T10:15:00Z");
            RatedEvent b = rated("e2", "1", "1.5", "2026-01-10T10:45:00Z", false, "2026-01-10T10:45:00Z");
            // the subscription's HOUR window only
            RollupRow ca = contributions(a).get(0);
            RollupRow cb = contributions(b).get(0);
            h.processElement(ca, 0);
            h.processElement(cb, 0);
            assertThat(h.extractOutputValues()).isEmpty();   // not before the refresh interval
            h.setProcessingTime(REFRESH.toMillis());
            // the subscription's own row and its row in its tenant's by-child breakdown, the same values
            assertThat(h.extractOutputValues()).extracting(r -> r.level + ":" + r.nodeId + ">" + r.childId)
                    .containsExactly("SUBSCRIPTION:s1>", "TENANT:t1>s1");
            assertThat(h.extractOutputValues()).allSatisfy(r -> {
                assertThat(r.status).isEqualTo("OPEN");
                assertThat(r.eventCount).isEqualTo(2);
                assertThat(r.quantity).isEqualByComparingTo("3");
                assertThat(r.amount).isEqualByComparingTo("4.5");
                assertThat(r.partnerCommission).isEqualByComparingTo("0.45");
                assertThat(r.windowStart).isEqualTo(at("2026-01-10T10:00:00Z").toEpochMilli());
                assertThat(r.granularity).isEqualTo("HOUR");
                assertThat(r.writeTimestamp).isEqualTo(RollupStatements.openTimestamp(2, 0)).isEqualTo(2 << 10);
            });
            assertThat(h.numProcessingTimeTimers()).isZero(); // unchanged rows are not rewritten

            // a late adjustment booked into this window
            h.processElement(contributions(rated("late", "1", "2", "2026-01-09T01:00:00Z", true, "2026-01-10T10:50:00Z")).get(0), 0);
            h.processWatermark(at("2026-01-10T12:00:00Z").toEpochMilli() - 1);
            assertThat(h.extractOutputValues()).hasSize(2);
            h.processWatermark(at("2026-01-10T12:00:00Z").toEpochMilli());
            List<RollupRow> out = h.extractOutputValues();
            assertThat(out).hasSize(4);
            for (RollupRow fin : out.subList(2, 4)) {
                assertThat(fin.status).isEqualTo("FINAL");
                assertThat(fin.eventCount).isEqualTo(3);
                assertThat(fin.adjustmentCount).isEqualTo(1);
                assertThat(fin.adjustmentAmount).isEqualByComparingTo("2");
                assertThat(fin.amount).isEqualByComparingTo("6.5");
                assertThat(fin.writeTimestamp).isEqualTo(RollupStatements.FINAL_BAND + (3 << 10)).isGreaterThan(out.get(0).writeTimestamp);
            }
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
            assertThat(h.numProcessingTimeTimers()).isZero();
        }
    }

    @Test
    void aTenantMovedWithinTheWindowSplitsItsByChildRowsBetweenItsPartners() throws Exception {
        try (var h = ProcessFunctionTestHarnesses.forKeyedProcessFunction(new RollupFunction(LATENESS, REFRESH, MAX_REFRESH), new Keys.Rollup(), Types.STRING)) {
            h.setProcessingTime(0);
            RatedEvent before = rated("e1", "2", "3", "2026-01-10T10:05:00Z", false, "2026-01-10T10:05:00Z");
            RatedEvent after = rated("e2", "1", "1.5", "2026-01-10T10:35:00Z", false, "2026-01-10T10:35:00Z");
            after.partnerId = "p2";
            RatedEvent backAgain = rated("e3", "4", "0.25", "2026-01-10T10:50:00Z", false, "2026-01-10T10:50:00Z");
            for (RatedEvent e : List.of(before, after, backAgain)) {
                h.processElement(contributions(e).get(1), 0);   // the tenant's HOUR window
            }
            h.setProcessingTime(REFRESH.toMillis());
            java.util.Map<String, RollupRow> rows = new java.util.HashMap<>();
            h.extractOutputValues().forEach(r -> rows.put(r.level + ":" + r.nodeId + ">" + r.childId, r));
            assertThat(rows).containsOnlyKeys("TENANT:t1>", "PARTNER:p1>t1", "PARTNER:p2>t1");
            assertThat(rows.get("TENANT:t1>").eventCount).isEqualTo(3);
            assertThat(rows.get("TENANT:t1>").amount).isEqualByComparingTo("4.75");
            assertThat(rows.get("PARTNER:p1>t1").eventCount).isEqualTo(2);
            assertThat(rows.get("PARTNER:p1>t1").amount).isEqualByComparingTo("3.25");
            assertThat(rows.get("PARTNER:p1>t1").quantity).isEqualByComparingTo("6");
            assertThat(rows.get("PARTNER:p1>t1").writeTimestamp).isEqualTo(RollupStatements.openTimestamp(2, 0));
            assertThat(rows.get("PARTNER:p2>t1").eventCount).isEqualTo(1);
            assertThat(rows.get("PARTNER:p2>t1").amount).isEqualByComparingTo("1.5");
            assertThat(rows.get("PARTNER:p2>t1").partnerCommission).isEqualByComparingTo("0.15");

            h.processWatermark(at("2026-01-10T12:00:00Z").toEpochMilli());
            assertThat(h.extractOutputValues()).hasSize(6).filteredOn(r -> r.status.equals("FINAL")).hasSize(3);
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void aKeyNamesItsRowExactlyAMeterMayHoldTheSeparator() {
        for (RollupRow c : contributions(rated("e1", "2", "3", "2026-01-10T10:15:00Z", false, "2026-01-10T10:15:00Z"))) {
            RollupRow r = RollupRow.ofKey(c.key());
            assertThat(List.of(r.level, r.nodeId, r.granularity, r.bucket, r.meterId, r.currency, r.childId))
                    .containsExactly(c.level, c.nodeId, c.granularity, c.bucket, c.meterId, c.currency, "");
            assertThat(r.windowStart).isEqualTo(c.windowStart);
            assertThat(r.windowEnd).isEqualTo(c.windowEnd);
        }
        RollupRow odd = RollupRow.ofKey("TENANT|t1|DAY|1768003200000||storage|gb|month|EUR");
        assertThat(odd.meterId).isEqualTo("storage|gb|month");
        assertThat(odd.currency).isEqualTo("EUR");
        assertThat(odd.bucket).isEqualTo("2026-01");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RollupRow.ofKey("TENANT|t1|DAY|1768003200000"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void everyFinalWriteTimestampIsAboveEveryOpenOneAndLaterAttemptsWinBetweenEqualCounts() {
        long maxOpen = RollupStatements.openTimestamp(Long.MAX_VALUE, Integer.MAX_VALUE);
        assertThat(RollupStatements.finalTimestamp(0, 0)).isGreaterThan(maxOpen);
        assertThat(RollupStatements.finalTimestamp(1, 0)).isGreaterThan(RollupStatements.openTimestamp(1_000_000_000L, 1023));
        assertThat(RollupStatements.finalTimestamp(Long.MAX_VALUE, 1023)).isPositive();
        // a replay (progress re-emitted) never overtakes a higher count; a later attempt wins at an equal count
        assertThat(RollupStatements.openTimestamp(5, 0)).isGreaterThan(RollupStatements.openTimestamp(4, 1023));
        assertThat(RollupStatements.openTimestamp(4, 2)).isGreaterThan(RollupStatements.openTimestamp(4, 1));
        assertThat(RollupStatements.finalTimestamp(4, 2)).isGreaterThan(RollupStatements.finalTimestamp(4, 1));
        assertThat(RollupStatements.openTimestamp(4, 5000)).isEqualTo(RollupStatements.openTimestamp(4, 1023));
    }

    @Test
    void aContributionForAnAlreadyFinalWindowIsNotApplied() throws Exception {
        try (var h = ProcessFunctionTestHarnesses.forKeyedProcessFunction(new RollupFunction(LATENESS, REFRESH, MAX_REFRESH), new Keys.Rollup(), Types.STRING)) {
            h.processWatermark(at("2026-01-10T12:00:00Z").toEpochMilli());
            h.processElement(contributions(rated("e1", "1", "1", "2026-01-10T10:15:00Z", false, "2026-01-10T10:15:00Z")).get(0), 0);
            h.setProcessingTime(REFRESH.toMillis());
            assertThat(h.extractOutputValues()).isEmpty();
            assertThat(h.numKeyedStateEntries()).isZero();
        }
    }
}
