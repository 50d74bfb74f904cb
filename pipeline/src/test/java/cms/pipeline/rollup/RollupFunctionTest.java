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
    void everyEventReachesEveryLevelGranularityAndParentBreakdown() {
        List<RollupRow> rows = contributions(rated("e1", "2", "3", "2026-01-10T10:15:00Z", false, "2026-01-10T10:15:00Z"));
        assertThat(rows).hasSize(21);
        assertThat(rows).filteredOn(r -> !r.byChild()).extracting(r -> r.level + "/" + r.granularity)
                .containsExactlyInAnyOrder("SUBSCRIPTION/HOUR", "TENANT/HOUR", "PARTNER/HOUR", "DISTRIBUTOR/HOUR",
                        "SUBSCRIPTION/DAY", "TENANT/DAY", "PARTNER/DAY", "DISTRIBUTOR/DAY",
                        "SUBSCRIPTION/MONTH", "TENANT/MONTH", "PARTNER/MONTH", "DISTRIBUTOR/MONTH");
        assertThat(rows).filteredOn(RollupRow::byChild).extracting(r -> r.level + ">" + r.childId).containsOnly(
                "TENANT>s1", "PARTNER>t1", "DISTRIBUTOR>p1");
        RollupRow month = rows.stream().filter(r -> r.granularity.equals("MONTH") && r.level.equals(NodeLevel.PARTNER.name()) && !r.byChild())
                .findFirst().orElseThrow();
        assertThat(month.bucket).isEqualTo("2026");
        assertThat(month.windowStart).isEqualTo(at("2026-01-01T00:00:00Z").toEpochMilli());
        assertThat(month.windowEnd).isEqualTo(at("2026-02-01T00:00:00Z").toEpochMilli());
        RollupRow hour = rows.stream().filter(r -> r.granularity.equals("HOUR")).findFirst().orElseThrow();
        assertThat(hour.bucket).isEqualTo("2026-01");
        assertThat(hour.windowStart).isEqualTo(at("2026-01-10T10:00:00Z").toEpochMilli());
    }

    @Test
    void openWindowsRefreshThenTurnFinalOnceAndLeaveNoState() throws Exception {
        try (var h = ProcessFunctionTestHarnesses.forKeyedProcessFunction(new RollupFunction(LATENESS, REFRESH), new Keys.Rollup(), Types.STRING)) {
            h.setProcessingTime(0);
            RatedEvent a = rated("e1", "2", "3", "2026-01-10T10:15:00Z", false, "2026-01-10T10:15:00Z");
            RatedEvent b = rated("e2", "1", "1.5", "2026-01-10T10:45:00Z", false, "2026-01-10T10:45:00Z");
            // the subscription's HOUR row only
            RollupRow ca = contributions(a).get(0);
            RollupRow cb = contributions(b).get(0);
            h.processElement(ca, 0);
            h.processElement(cb, 0);
            assertThat(h.extractOutputValues()).isEmpty();   // not before the refresh interval
            h.setProcessingTime(REFRESH.toMillis());
            assertThat(h.extractOutputValues()).singleElement().satisfies(r -> {
                assertThat(r.status).isEqualTo("OPEN");
                assertThat(r.eventCount).isEqualTo(2);
                assertThat(r.quantity).isEqualByComparingTo("3");
                assertThat(r.amount).isEqualByComparingTo("4.5");
                assertThat(r.partnerCommission).isEqualByComparingTo("0.45");
                assertThat(r.writeTimestamp).isEqualTo(RollupStatements.openTimestamp(2, 0)).isEqualTo(2 << 10);
            });
            assertThat(h.numProcessingTimeTimers()).isZero(); // unchanged rows are not rewritten

            // a late adjustment booked into this window
            h.processElement(contributions(rated("late", "1", "2", "2026-01-09T01:00:00Z", true, "2026-01-10T10:50:00Z")).get(0), 0);
            h.processWatermark(at("2026-01-10T12:00:00Z").toEpochMilli() - 1);
            assertThat(h.extractOutputValues()).hasSize(1);
            h.processWatermark(at("2026-01-10T12:00:00Z").toEpochMilli());
            List<RollupRow> out = h.extractOutputValues();
            assertThat(out).hasSize(2);
            assertThat(out.get(1).status).isEqualTo("FINAL");
            assertThat(out.get(1).eventCount).isEqualTo(3);
            assertThat(out.get(1).adjustmentCount).isEqualTo(1);
            assertThat(out.get(1).adjustmentAmount).isEqualByComparingTo("2");
            assertThat(out.get(1).amount).isEqualByComparingTo("6.5");
            assertThat(out.get(1).writeTimestamp).isEqualTo(RollupStatements.FINAL_BAND + (3 << 10)).isGreaterThan(out.get(0).writeTimestamp);
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
            assertThat(h.numProcessingTimeTimers()).isZero();
        }
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
        try (var h = ProcessFunctionTestHarnesses.forKeyedProcessFunction(new RollupFunction(LATENESS, REFRESH), new Keys.Rollup(), Types.STRING)) {
            h.processWatermark(at("2026-01-10T12:00:00Z").toEpochMilli());
            h.processElement(contributions(rated("e1", "1", "1", "2026-01-10T10:15:00Z", false, "2026-01-10T10:15:00Z")).get(0), 0);
            h.setProcessingTime(REFRESH.toMillis());
            assertThat(h.extractOutputValues()).isEmpty();
            assertThat(h.numKeyedStateEntries()).isZero();
        }
    }
}
