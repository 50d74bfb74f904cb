package cms.pipeline.rollup;

import cms.pipeline.model.Keys;
import cms.pipeline.model.FamilyRow;
import cms.pipeline.model.RatedEvent;
import cms.pipeline.cassandra.FamilyRollupStatements;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static cms.pipeline.Fixtures.at;
import static cms.pipeline.Fixtures.money;
import static cms.pipeline.Fixtures.usage;
import static org.assertj.core.api.Assertions.assertThat;

@SuppressWarnings("try")
class FamilyRollupFunctionTest {
    private static final Duration LATENESS = Duration.ofHours(1);
    private static final Duration REFRESH = Duration.ofSeconds(2);
    private static final Duration MAX_REFRESH = Duration.ofSeconds(30);
    private static final long T0 = at("2026-01-10T11:00:00Z").toEpochMilli();

    static RatedEvent rated(String id, String q, String amount, String time, boolean late, String bookingTime) {
        RatedEvent e = new RatedEvent();
        e.event = usage(id, "s1", "vcpu", q, time);
        e.tenantId = "t1";
        e.partnerId = "p1";
        e.distributorId = "d1";
        e.currency = "EUR";
        e.amount = money(amount);
        e.partnerCommission = money(amount).multiply(new BigDecimal("0.1"));
        e.distributorCommission = money("0");
        e.period = time.substring(0, 7);
        e.lateAdjustment = late;
        e.bookingTime = at(bookingTime).toEpochMilli();
        e.bookedPeriod = bookingTime.substring(0, 7);
        e.receivedAt = T0;
        return e;
    }

    private static FamilyRollupFunction function(long budget) {
        return function(budget, 0);
    }

    private static FamilyRollupFunction function(long rowBudget, long mutationBudget) {
        return new FamilyRollupFunction(LATENESS, REFRESH, MAX_REFRESH, rowBudget, mutationBudget, Duration.ofSeconds(16));
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, RatedEvent, FamilyRow> harness(FamilyRollupFunction f) throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(f), new Keys.Distributor(), Types.STRING);
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, RatedEvent, FamilyRow> opened() throws Exception {
        var h = harness(function(0));
        h.open();
        h.setProcessingTime(T0);
        return h;
    }

    /**
     * Advances processing time from {@code from} to {@code to} in 100 ms steps; answers when each family partition
     * (level:head) was last written, failing if one is written at two different times unless {@code manyTicks}.
     */
    private static Map<String, Long> stepThrough(KeyedOneInputStreamOperatorTestHarness<String, RatedEvent, FamilyRow> h, long from, long to,
                                                 boolean manyTicks) throws Exception {
        Map<String, Long> writtenAt = new java.util.TreeMap<>();
        int seen = h.extractOutputValues().size();
        for (long t = from; t <= to; t += 100) {
            h.setProcessingTime(t);
            List<FamilyRow> out = h.extractOutputValues();
            for (FamilyRow r : out.subList(seen, out.size())) {
                long at = t;
                writtenAt.merge(r.level + ":" + r.nodeId, at, (a, b) -> {
                    if (!manyTicks) {
                        assertThat(b).as("every row of " + r.level + ":" + r.nodeId + " at one tick").isEqualTo(a);
                    }
                    return b;
                });
            }
            seen = out.size();
        }
        return writtenAt;
    }

    private static String id(FamilyRow r) {
        return r.level + ":" + r.nodeId + ">" + r.childId + "/" + r.granularity;
    }

    private static Map<String, FamilyRow> byId(List<FamilyRow> rows) {
        Map<String, FamilyRow> out = new HashMap<>();
        rows.forEach(r -> out.put(id(r) + "@" + r.via, r));
        return out;
    }

    @Test
    void anEventTouchesTwelveRowsOfFourFamiliesTheirHourAndMonthRowsWrittenAtOneTickWithinTheRefreshInterval() throws Exception {
        try (var h = opened()) {
            h.processElement(rated("e1", "2", "3", "2026-01-10T10:15:00Z", false, "2026-01-10T10:15:00Z"), 0);
            h.processElement(rated("e2", "1", "1.5", "2026-01-10T10:45:00Z", false, "2026-01-10T10:45:00Z"), 0);
            Map<String, Long> writtenAt = stepThrough(h, T0, T0 + REFRESH.toMillis(), false);
            assertThat(writtenAt).as("one tick per family: its rows are one partition's mutation").hasSize(3)
                    .allSatisfy((family, at) -> assertThat(at).isBetween(T0 + 1, T0 + REFRESH.toMillis()));
            List<FamilyRow> rows = h.extractOutputValues();
            // OPEN DAY windows are summed by their readers from the HOUR rows: DAY rows are written FINAL only
            assertThat(rows).extracting(FamilyRollupFunctionTest::id).containsExactlyInAnyOrder(
                    "TENANT:t1>s1/HOUR", "PARTNER:p1>t1/HOUR", "DISTRIBUTOR:d1>p1/HOUR", "DISTRIBUTOR:d1>/HOUR",
                    "TENANT:t1>s1/MONTH", "PARTNER:p1>t1/MONTH", "DISTRIBUTOR:d1>p1/MONTH", "DISTRIBUTOR:d1>/MONTH");
            assertThat(rows).allSatisfy(r -> {
                assertThat(r.status).isEqualTo("OPEN");
                assertThat(r.via).isEqualTo("d1");
                assertThat(r.meterId).isEqualTo("vcpu");
                assertThat(r.currency).isEqualTo("EUR");
                assertThat(r.eventCount).isEqualTo(2);
                assertThat(r.quantity).isEqualByComparingTo("3");
                assertThat(r.amount).isEqualByComparingTo("4.5");
                assertThat(r.partnerCommission).isEqualByComparingTo("0.45");
                assertThat(r.writeTimestamp).isEqualTo(WriteOrder.openTimestamp(2, 0)).isEqualTo(2 << 10);
            });
            FamilyRow hour = byId(rows).get("TENANT:t1>s1/HOUR@d1");
            assertThat(hour.bucket).isEqualTo("2026-01");
            assertThat(hour.windowStart).isEqualTo(at("2026-01-10T10:00:00Z").toEpochMilli());
            assertThat(hour.windowEnd).isEqualTo(at("2026-01-10T11:00:00Z").toEpochMilli());
            FamilyRow month = byId(rows).get("PARTNER:p1>t1/MONTH@d1");
            assertThat(month.bucket).as("the same partition as the family's HOUR and DAY rows").isEqualTo("2026-01");
            assertThat(month.windowStart).isEqualTo(at("2026-01-01T00:00:00Z").toEpochMilli());
            assertThat(month.windowEnd).isEqualTo(at("2026-02-01T00:00:00Z").toEpochMilli());
            assertThat(h.numProcessingTimeTimers()).as("unchanged rows are not rewritten").isZero();
            h.processWatermark(at("2026-02-01T01:00:00Z").toEpochMilli());
            assertThat(h.extractOutputValues().subList(8, h.extractOutputValues().size())).hasSize(12).allSatisfy(r -> {
                assertThat(r.status).isEqualTo("FINAL");
                assertThat(r.eventCount).isEqualTo(2);
                assertThat(r.amount).isEqualByComparingTo("4.5");
            }).filteredOn(r -> r.granularity.equals("DAY")).hasSize(4);
        }
    }

    @Test
    void openRowsRefreshThenTurnFinalOnceAndLeaveNoState() throws Exception {
        try (var h = opened()) {
            h.processElement(rated("e1", "2", "3", "2026-01-10T10:15:00Z", false, "2026-01-10T10:15:00Z"), 0);
            h.setProcessingTime(T0 + REFRESH.toMillis());
            assertThat(h.extractOutputValues()).as("the HOUR and MONTH rows").hasSize(8);
            // a late adjustment booked into the same windows
            h.processElement(rated("late", "1", "2", "2026-01-09T01:00:00Z", true, "2026-01-10T10:50:00Z"), 0);
            h.processWatermark(at("2026-01-10T12:00:00Z").toEpochMilli() - 1);
            assertThat(h.extractOutputValues()).hasSize(8);
            h.processWatermark(at("2026-01-10T12:00:00Z").toEpochMilli());
            List<FamilyRow> out = h.extractOutputValues();
            List<FamilyRow> fin = out.subList(8, out.size());
            assertThat(fin).as("the HOUR rows turn FINAL, DAY and MONTH stay open").hasSize(4).allSatisfy(r -> {
                assertThat(r.granularity).isEqualTo("HOUR");
                assertThat(r.status).isEqualTo("FINAL");
                assertThat(r.eventCount).isEqualTo(2);
                assertThat(r.adjustmentCount).isEqualTo(1);
                assertThat(r.adjustmentAmount).isEqualByComparingTo("2");
                assertThat(r.amount).isEqualByComparingTo("5");
                assertThat(r.writeTimestamp).isEqualTo(WriteOrder.FINAL_BAND + (2 << 10));
            });
            // the MONTH rows changed by the adjustment are still refreshed as OPEN (DAY rows are not written while OPEN:
            // their readers sum HOUR rows)
            h.setProcessingTime(T0 + 2 * REFRESH.toMillis());
            assertThat(h.extractOutputValues().subList(12, h.extractOutputValues().size())).hasSize(4)
                    .allSatisfy(r -> assertThat(r.status).isEqualTo("OPEN")).allSatisfy(r -> assertThat(r.granularity).isEqualTo("MONTH"));
            h.processWatermark(at("2026-02-01T01:00:00Z").toEpochMilli());
            assertThat(h.extractOutputValues()).hasSize(24).filteredOn(FamilyRow::isFinal).hasSize(12)
                    .filteredOn(r -> r.granularity.equals("DAY")).hasSize(4).allSatisfy(r -> {
                        assertThat(r.eventCount).isEqualTo(2);
                        assertThat(r.adjustmentAmount).isEqualByComparingTo("2");
                    });
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
            assertThat(h.numProcessingTimeTimers()).isZero();
        }
    }

    @Test
    void aTenantMovedWithinTheWindowHasOnePartUnderEachPartner() throws Exception {
        try (var h = opened()) {
            RatedEvent before = rated("e1", "2", "3", "2026-01-10T10:05:00Z", false, "2026-01-10T10:05:00Z");
            RatedEvent after = rated("e2", "1", "1.5", "2026-01-10T10:35:00Z", false, "2026-01-10T10:35:00Z");
            after.partnerId = "p2";
            RatedEvent backAgain = rated("e3", "4", "0.25", "2026-01-10T10:50:00Z", false, "2026-01-10T10:50:00Z");
            for (RatedEvent e : List.of(before, after, backAgain)) {
                h.processElement(e, 0);
            }
            h.setProcessingTime(T0 + REFRESH.toMillis());
            Map<String, FamilyRow> rows = byId(h.extractOutputValues());
            assertThat(rows.get("TENANT:t1>s1/HOUR@d1").eventCount).isEqualTo(3);
            assertThat(rows.get("TENANT:t1>s1/HOUR@d1").amount).isEqualByComparingTo("4.75");
            assertThat(rows.get("PARTNER:p1>t1/HOUR@d1").eventCount).isEqualTo(2);
            assertThat(rows.get("PARTNER:p1>t1/HOUR@d1").amount).isEqualByComparingTo("3.25");
            assertThat(rows.get("PARTNER:p1>t1/HOUR@d1").quantity).isEqualByComparingTo("6");
            assertThat(rows.get("PARTNER:p2>t1/HOUR@d1").eventCount).isEqualTo(1);
            assertThat(rows.get("PARTNER:p2>t1/HOUR@d1").amount).isEqualByComparingTo("1.5");
            assertThat(rows.get("PARTNER:p2>t1/HOUR@d1").partnerCommission).isEqualByComparingTo("0.15");
            assertThat(rows.get("DISTRIBUTOR:d1>p1/HOUR@d1").eventCount).isEqualTo(2);
            assertThat(rows.get("DISTRIBUTOR:d1>p2/HOUR@d1").eventCount).isEqualTo(1);
            assertThat(rows.get("DISTRIBUTOR:d1>/HOUR@d1").eventCount).isEqualTo(3);
        }
    }

    @Test
    void rowsChangedByUsageThatWaitedInKafkaAreRefreshedAfterATenthOfTheWaitAtMostTheMaximum() throws Exception {
        try (var h = opened()) {
            String[] subs = {"live", "waited", "backlog"};
            long[] waited = {40, 150_000, 3_600_000};
            for (int i = 0; i < subs.length; i++) {
                RatedEvent e = rated("e" + i, "1", "1", "2026-01-10T10:15:00Z", false, "2026-01-10T10:15:00Z");
                e.event.setSubscriptionId(subs[i]);
                e.tenantId = "t-" + subs[i];
                e.partnerId = "p-" + subs[i];
                e.receivedAt = T0 - waited[i];
                h.processElement(e, 0);
            }
            // the distributor's family holds rows of all three kinds of usage: written at each one's tick
            Map<String, Long> writtenAt = stepThrough(h, T0, T0 + MAX_REFRESH.toMillis(), true);
            assertThat(h.extractOutputValues()).as("HOUR and MONTH rows: 2 in each of 3 tenant, 3 partner families, 3 partners' and the own rows")
                    .hasSize(20);
            // the live usage's rows within the interval; the waited usage's on ticks 16 s apart (a tenth of 150 s, 2 s
            // doubled to 16 s), the backlog's 30 s apart
            assertThat(writtenAt.get("TENANT:t-live")).isLessThanOrEqualTo(T0 + REFRESH.toMillis());
            assertThat(writtenAt.get("TENANT:t-waited")).isLessThanOrEqualTo(T0 + 16_000)
                    .isEqualTo(FamilyRollupFunction.dueAt(T0, T0 - 150_000, 2_000, 30_000, 500, "t-waited".hashCode()));
            assertThat(writtenAt.get("TENANT:t-backlog")).isLessThanOrEqualTo(T0 + MAX_REFRESH.toMillis())
                    .isEqualTo(FamilyRollupFunction.dueAt(T0, T0 - 3_600_000, 2_000, 30_000, 500, "t-backlog".hashCode()));
        }
        assertThat(FamilyRollupFunction.dueAt(1_000, 2_000, 2_000, 30_000, 500, 0)).as("a clock skewed ahead of now").isEqualTo(2_000);
        assertThat(FamilyRollupFunction.dueAt(100_000, 0, 2_000, 2_000, 500, 0)).as("no stretch when the maximum is the interval").isEqualTo(102_000);
        assertThat(FamilyRollupFunction.dueAt(1_234, 1_234, 2_000, 2_000, 500, 3)).as("the family's phase: 3 grid steps").isEqualTo(1_500);
        assertThat(FamilyRollupFunction.dueAt(1_234, 1_234, 2_000, 2_000, 500, 1)).as("the next tick of phase 500").isEqualTo(2_500);
        assertThat(FamilyRollupFunction.dueAt(100_000, 100_000 - 150_000, 2_000, 30_000, 500, 0))
                .as("waited 150 s: ticks every 16 s (2 s doubled past 15 s)").isEqualTo(112_000);
        assertThat(FamilyRollupFunction.dueAt(100_000, 100_000 - 3_600_000, 2_000, 30_000, 500, 0)).as("at most every 30 s").isEqualTo(120_000);
    }

    @Test
    void aFamilysRowsChangedBetweenTwoTicksAreDueAtTheNextOneWithinAnIntervalOnTheGrid() {
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < 10_000; i++) {
            long interval = 2_000L << random.nextInt(5);
            int seed = random.nextInt();
            long now = 1_700_000_000_000L + random.nextInt(1_000_000_000);
            long due = FamilyRollupFunction.dueAt(now, now, interval, 30_000, 500, seed);
            assertThat(due).as("within the interval").isGreaterThan(now).isLessThanOrEqualTo(now + interval);
            assertThat(due % 500).as("on the grid").isZero();
            long later = now + random.nextInt((int) (due - now));
            assertThat(FamilyRollupFunction.dueAt(later, later, interval, 30_000, 500, seed)).as("the same tick until it passes").isEqualTo(due);
            assertThat(FamilyRollupFunction.dueAt(due, due, interval, 30_000, 500, seed)).as("then the next").isEqualTo(due + interval);
        }
    }

    @Test
    void rowsChangedBeforeACheckpointAreWrittenAfterARestore() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = opened()) {
            h.processElement(rated("e1", "2", "3", "2026-01-10T10:15:00Z", false, "2026-01-10T10:15:00Z"), 0);
            snapshot = h.snapshot(1, T0 + 1);
        }
        try (var h = harness(function(0))) {
            h.setProcessingTime(T0);
            h.initializeState(snapshot);
            h.open();
            h.setProcessingTime(T0 + REFRESH.toMillis());
            assertThat(h.extractOutputValues()).as("the restored changed rows, found without the lost index").hasSize(8)
                    .allSatisfy(r -> assertThat(r.eventCount).isEqualTo(1));
            h.processElement(rated("e2", "1", "1", "2026-01-10T10:16:00Z", false, "2026-01-10T10:16:00Z"), 0);
            h.setProcessingTime(T0 + 2 * REFRESH.toMillis());
            assertThat(h.extractOutputValues()).hasSize(16).last().extracting(r -> r.eventCount).isEqualTo(2L);
        }
    }

    @Test
    void usageForAnAlreadyFinalWindowIsNotApplied() throws Exception {
        try (var h = opened()) {
            h.processWatermark(at("2026-01-10T12:00:00Z").toEpochMilli());
            h.processElement(rated("e1", "1", "1", "2026-01-10T10:15:00Z", false, "2026-01-10T10:15:00Z"), 0);
            h.setProcessingTime(T0 + REFRESH.toMillis());
            assertThat(h.extractOutputValues()).as("the MONTH rows only (DAY rows are not written while OPEN)").hasSize(4)
                    .allMatch(r -> r.granularity.equals("MONTH"));
            h.processWatermark(at("2026-02-01T01:00:00Z").toEpochMilli());
            assertThat(h.extractOutputValues().subList(4, h.extractOutputValues().size())).as("FINAL: the DAY and MONTH rows only")
                    .hasSize(8).noneMatch(r -> r.granularity.equals("HOUR"));
        }
    }

    /** Rows written per family level over {@code seconds} of 10 subscriptions (5 tenants, 1 partner) each sending an event a second. */
    private static Map<String, Long> rowsWrittenUnder(long budget, int seconds) throws Exception {
        return rowsWrittenUnder(function(budget), seconds);
    }

    private static Map<String, Long> rowsWrittenUnder(FamilyRollupFunction f, int seconds) throws Exception {
        try (var h = harness(f)) {
            h.open();
            long now = T0;
            h.setProcessingTime(now);
            for (int second = 0; second < seconds; second++) {
                for (int i = 0; i < 10; i++) {
                    RatedEvent e = rated("e" + second + "-" + i, "1", "1", "2026-01-10T10:15:00Z", false, "2026-01-10T10:15:00Z");
                    e.event.setSubscriptionId("s" + i);
                    e.tenantId = "t" + (i % 5);
                    e.receivedAt = now;
                    h.processElement(e, 0);
                }
                now += 1000;
                h.setProcessingTime(now);
            }
            Map<String, Long> out = new HashMap<>();
            for (FamilyRow r : h.extractOutputValues()) {
                String level = switch (r.level) {
                    case "TENANT" -> "SUBSCRIPTION";
                    case "PARTNER" -> "TENANT";
                    default -> r.childId.isEmpty() ? "DISTRIBUTOR" : "PARTNER";
                };
                out.merge(level, 1L, Long::sum);
            }
            return out;
        }
    }

    @Test
    void overItsBudgetTheJobStretchesSubscriptionRowsFirstThenTenantRows() throws Exception {
        // at the base interval (2 s) 20 flushes in 40 s: 20 subscription rows, 10 tenant rows, 2 partner rows, 2 own rows each
        // (HOUR and MONTH rows: OPEN DAY rows are not written)
        Map<String, Long> free = rowsWrittenUnder(0, 40);
        assertThat(free).containsEntry("SUBSCRIPTION", 400L).containsEntry("TENANT", 200L).containsEntry("PARTNER", 40L)
                .containsEntry("DISTRIBUTOR", 40L);
        // 13 rows/s: stretching the subscriptions' rows is enough
        Map<String, Long> thirteen = rowsWrittenUnder(13, 40);
        assertThat(thirteen.get("SUBSCRIPTION")).isLessThanOrEqualTo(220L);
        assertThat(thirteen.get("TENANT")).isGreaterThanOrEqualTo(180L);
        assertThat(thirteen.get("PARTNER")).isEqualTo(40L);
        assertThat(thirteen.get("DISTRIBUTOR")).isEqualTo(40L);
        // 3 rows/s: subscriptions' interval doubles to the longest (2, 4, 8, 16 s: 20 rows at each step of the way), then
        // tenants stretch too; partners and distributors never
        // (over 120 s, so that the tenants' interval has time to double too)
        Map<String, Long> three = rowsWrittenUnder(3, 120);
        assertThat(three.get("SUBSCRIPTION")).as("at most 20 rows per step up, then per 16 s").isLessThanOrEqualTo(20L * 3 + 20L * 120 / 16);
        assertThat(three.get("TENANT")).as("tenant rows, 600 at the base interval").isLessThan(300L);
        assertThat(three.get("PARTNER")).isEqualTo(120L);
        assertThat(three.get("DISTRIBUTOR")).isEqualTo(120L);
    }

    @Test
    void overItsMutationBudgetTheJobStretchesSubscriptionRowsToo() throws Exception {
        // at the base interval 7 partitions a tick (5 tenant families, the partner's, the distributor's): 3.5 mutations/s
        Map<String, Long> free = rowsWrittenUnder(function(0, 0), 40);
        Map<String, Long> two = rowsWrittenUnder(function(0, 2), 40);
        assertThat(two.get("SUBSCRIPTION")).as("subscription rows (5 tenant families) stretched").isLessThan(free.get("SUBSCRIPTION") / 2);
        assertThat(two.get("TENANT")).as("1 partner family at 0.5 mutations/s: within the budget once subscriptions stretched")
                .isEqualTo(free.get("TENANT"));
        assertThat(two.get("PARTNER")).isEqualTo(free.get("PARTNER"));
        assertThat(two.get("DISTRIBUTOR")).isEqualTo(free.get("DISTRIBUTOR"));
    }
}
