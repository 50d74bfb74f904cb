package cms.pipeline.rating;

import cms.avro.DeadLetter;
import cms.avro.DeadLetterReason;
import cms.avro.NodeLevel;
import cms.avro.NodeStatus;
import cms.avro.PlanOwner;
import cms.avro.PricingModel;
import cms.pipeline.model.Keys;
import cms.pipeline.model.PipelineState;
import cms.pipeline.model.RatedEvent;
import cms.pipeline.model.ReferenceUpdate;
import cms.pipeline.model.ValidUsage;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static cms.pipeline.Fixtures.at;
import static cms.pipeline.Fixtures.book;
import static cms.pipeline.Fixtures.chain;
import static cms.pipeline.Fixtures.flat;
import static cms.pipeline.Fixtures.node;
import static cms.pipeline.Fixtures.plan;
import static cms.pipeline.Fixtures.rate;
import static cms.pipeline.Fixtures.tier;
import static cms.pipeline.Fixtures.usage;
import static cms.pipeline.Fixtures.valid;
import static cms.pipeline.HarnessState.keysWith;
import static cms.pipeline.HarnessState.subscriptionsWithQuantities;
import static org.assertj.core.api.Assertions.assertThat;

class RatingFunctionTest {
    private static final Duration GRACE = Duration.ofSeconds(30);
    private static final Duration LATENESS = Duration.ofHours(1);
    private static final Duration MAX_AGE = Duration.ofDays(35);

    private KeyedBroadcastOperatorTestHarness<String, ValidUsage, ReferenceUpdate, RatedEvent> h;

    @BeforeEach
    void open() throws Exception {
        h = harness();
    }

    @AfterEach
    void close() throws Exception {
        h.close();
    }

    private static KeyedBroadcastOperatorTestHarness<String, ValidUsage, ReferenceUpdate, RatedEvent> harness() throws Exception {
        var harness = ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(
                new RatingFunction(GRACE, LATENESS, MAX_AGE, Duration.ofHours(24), Duration.ofHours(1), null), new Keys.Subscription(), Types.STRING, PipelineState.referenceData());
        // reference data carries the "end of time" watermark, as in the job
        harness.processBroadcastWatermark(Long.MAX_VALUE);
        harness.setProcessingTime(0);
        return harness;
    }

    private void reference(List<ReferenceUpdate> updates) throws Exception {
        for (ReferenceUpdate u : updates) {
            h.processBroadcastElement(u, 0);
        }
    }

    private void defaultBook() throws Exception {
        reference(List.of(
                ReferenceUpdate.of(book("b1", "EUR", "2026-01-01T00:00:00Z",
                        rate("vcpu", null, PricingModel.PER_UNIT, "0", tier(null, "1.00")),
                        rate("vcpu", "eu", PricingModel.PER_UNIT, "0", tier(null, "2.00")))),
                ReferenceUpdate.of(plan("default", PlanOwner.PLATFORM, null, "2026-01-01T00:00:00Z", flat("0.10"), flat("0.05")))));
    }

    private void usageAt(String id, String sub, String meter, String q, String time) throws Exception {
        h.processElement(valid(usage(id, sub, meter, q, time)), at(time).toEpochMilli());
    }

    private List<DeadLetter> deadLetters() {
        var queue = h.getSideOutput(PipelineState.DEAD_LETTERS);
        return queue == null ? List.of() : queue.stream().map(StreamRecord::getValue).toList();
    }

    @Test
    void usageBeforeItsHierarchyWaitsAndIsRatedWhenTheGraceEnds() throws Exception {
        usageAt("e1", "s1", "vcpu", "3", "2026-01-10T10:00:00Z");
        assertThat(h.extractOutputValues()).isEmpty();
        assertThat(keysWith(h, "pending-usage")).isEqualTo(1);
        assertThat(h.numProcessingTimeTimers()).isEqualTo(1);

        defaultBook();
        reference(chain("d1", "p1", "t1", "s1", "b1"));
        h.setProcessingTime(GRACE.toMillis());

        List<RatedEvent> out = h.extractOutputValues();
        assertThat(out).hasSize(1);
        assertThat(out.get(0).amount).isEqualByComparingTo("3.00");
        assertThat(out.get(0).partnerId).isEqualTo("p1");
        assertThat(out.get(0).partnerPlanId).isEqualTo("default");
        assertThat(keysWith(h, "pending-usage")).isZero();
        assertThat(h.numProcessingTimeTimers()).isZero();
        assertThat(deadLetters()).isEmpty();
    }

    @Test
    void waitingUsageIsReleasedByTheNextEventOnceTheHierarchyIsKnown() throws Exception {
        usageAt("e1", "s1", "vcpu", "1", "2026-01-10T10:00:00Z");
        defaultBook();
        reference(chain("d1", "p1", "t1", "s1", "b1"));
        usageAt("e2", "s1", "vcpu", "1", "2026-01-10T10:05:00Z");
        assertThat(h.extractOutputValues()).extracting(r -> r.event.getEventId()).containsExactly("e1", "e2");
        assertThat(keysWith(h, "pending-usage")).isZero();
    }

    @Test
    void anAmountTheRatedRecordCannotHoldIsUndeliverableAndMovesNoTier() throws Exception {
        // 10^19 units (28 digits, valid) at 100 per unit after 10^18 included: 9 * 10^20, 21 integer digits > decimal(38,18)'s 20
        reference(List.of(
                ReferenceUpdate.of(book("b1", "EUR", "2026-01-01T00:00:00Z",
                        rate("vcpu", null, PricingModel.GRADUATED, "0", tier("1000000000000000000", "0"), tier(null, "100")))),
                ReferenceUpdate.of(plan("default", PlanOwner.PLATFORM, null, "2026-01-01T00:00:00Z", flat("0.10"), flat("0.05")))));
        reference(chain("d1", "p1", "t1", "s1", "b1"));
        usageAt("huge", "s1", "vcpu", "9999999999999999999.999999999", "2026-01-10T10:00:00Z");
        assertThat(h.extractOutputValues()).isEmpty();
        assertThat(deadLetters()).singleElement().satisfies(d -> {
            assertThat(d.getReason()).isEqualTo(DeadLetterReason.UNDELIVERABLE);
            assertThat(d.getDetail()).contains("decimal(38,18)").contains("999999999999999999.9");
            assertThat(d.getEventId()).isEqualTo("huge");
        });
        // the refused quantity is not in the period's cumulative quantity: the next event is still in the free tier
        usageAt("small", "s1", "vcpu", "5", "2026-01-10T11:00:00Z");
        assertThat(h.extractOutputValues()).singleElement().satisfies(r -> {
            assertThat(r.amount).isEqualByComparingTo("0");
            assertThat(r.source).as("the record it came from, for the rated output").isNotNull();
        });
    }

    @Test
    void unknownSubscriptionIsDeadLetteredAfterTheGrace() throws Exception {
        defaultBook();
        usageAt("e1", "ghost", "vcpu", "1", "2026-01-10T10:00:00Z");
        h.setProcessingTime(GRACE.toMillis() - 1);
        assertThat(deadLetters()).isEmpty();
        h.setProcessingTime(GRACE.toMillis());
        assertThat(deadLetters()).singleElement().satisfies(d -> {
            assertThat(d.getReason()).isEqualTo(DeadLetterReason.UNKNOWN_SUBSCRIPTION);
            assertThat(d.getEventId()).isEqualTo("e1");
            assertThat(d.getSourceTopic()).isEqualTo("cms.usage.v1");
            assertThat(d.getValue()).isNotNull();
        });
        assertThat(keysWith(h, "pending-usage")).isZero();
        assertThat(h.numProcessingTimeTimers()).isZero();
    }

    @Test
    void aTenantMovedMidPeriodAttributesUsageByEventTime() throws Exception {
        defaultBook();
        reference(chain("d1", "p1", "t1", "s1", "b1"));
        reference(List.of(
                ReferenceUpdate.of(node(NodeLevel.DISTRIBUTOR, "d2", null, "2026-01-01T00:00:00Z")),
                ReferenceUpdate.of(node(NodeLevel.PARTNER, "p2", "d2", "2026-01-01T00:00:00Z")),
                ReferenceUpdate.of(node(NodeLevel.TENANT, "t1", "p2", "2026-01-15T00:00:00Z"))));
        usageAt("after", "s1", "vcpu", "1", "2026-01-20T00:00:00Z");
        usageAt("before", "s1", "vcpu", "1", "2026-01-14T00:00:00Z");
        List<RatedEvent> out = h.extractOutputValues();
        assertThat(out).extracting(r -> r.event.getEventId() + ":" + r.partnerId + "/" + r.distributorId)
                .containsExactly("after:p2/d2", "before:p1/d1");
    }

    @Test
    void suspendedSubscriptionIsDeadLetteredInactive() throws Exception {
        defaultBook();
        reference(chain("d1", "p1", "t1", "s1", "b1"));
        h.processBroadcastElement(ReferenceUpdate.of(node(NodeLevel.SUBSCRIPTION, "s1", "t1", "2026-01-20T00:00:00Z",
                NodeStatus.SUSPENDED, "b1", null)), 0);
        usageAt("e1", "s1", "vcpu", "1", "2026-01-21T00:00:00Z");
        usageAt("e2", "s1", "vcpu", "1", "2026-01-19T00:00:00Z");
        assertThat(deadLetters()).extracting(DeadLetter::getReason).containsExactly(DeadLetterReason.INACTIVE_SUBSCRIPTION);
        assertThat(h.extractOutputValues()).extracting(r -> r.event.getEventId()).containsExactly("e2");
    }

    @Test
    void meterWithoutARateIsUnpriced() throws Exception {
        defaultBook();
        reference(chain("d1", "p1", "t1", "s1", "b1"));
        usageAt("e1", "s1", "storage.gb", "1", "2026-01-10T00:00:00Z");
        assertThat(deadLetters()).singleElement().satisfies(d -> {
            assertThat(d.getReason()).isEqualTo(DeadLetterReason.UNPRICED);
            assertThat(d.getDetail()).contains("storage.gb");
        });
        assertThat(subscriptionsWithQuantities(h)).isZero();
    }

    @Test
    void regionRateApplies() throws Exception {
        defaultBook();
        reference(chain("d1", "p1", "t1", "s1", "b1"));
        h.processElement(valid(usage("e1", "s1", "vcpu", "2", "2026-01-10T00:00:00Z", "eu")), 0);
        h.processElement(valid(usage("e2", "s1", "vcpu", "2", "2026-01-10T00:00:00Z", "us")), 0);
        assertThat(h.extractOutputValues()).extracting(r -> r.amount.stripTrailingZeros().toPlainString()).containsExactly("4", "2");
    }

    @Test
    void aPriceBookVersionChangingMidPeriodPricesTheIncreaseWithTheNewVersion() throws Exception {
        reference(List.of(
                ReferenceUpdate.of(book("b1", "EUR", "2026-01-01T00:00:00Z",
                        rate("gpu", null, PricingModel.GRADUATED, "0", tier("10", "1.00"), tier(null, "0.50")))),
                ReferenceUpdate.of(book("b1", "EUR", "2026-01-15T00:00:00Z",
                        rate("gpu", null, PricingModel.GRADUATED, "0", tier("10", "2.00"), tier(null, "1.00")))),
                ReferenceUpdate.of(plan("default", PlanOwner.PLATFORM, null, "2026-01-01T00:00:00Z", null, null))));
        reference(chain("d1", "p1", "t1", "s1", "b1"));
        usageAt("e1", "s1", "gpu", "8", "2026-01-10T00:00:00Z");
        usageAt("e2", "s1", "gpu", "6", "2026-01-20T00:00:00Z");
        List<RatedEvent> out = h.extractOutputValues();
        // v1: P1(8) = 8 * 1.00 = 8
        assertThat(out.get(0).amount).isEqualByComparingTo("8");
        assertThat(out.get(0).priceBookVersion).isEqualTo(at("2026-01-01T00:00:00Z").toEpochMilli());
        // v2 on the cumulative 8 -> 14: P2(14) - P2(8) = (10 * 2 + 4 * 1) - 8 * 2 = 24 - 16 = 8
        assertThat(out.get(1).amount).isEqualByComparingTo("8");
        assertThat(out.get(1).priceBookVersion).isEqualTo(at("2026-01-15T00:00:00Z").toEpochMilli());
        // a new period starts from zero again
        usageAt("e3", "s1", "gpu", "1", "2026-02-01T00:00:00Z");
        assertThat(h.extractOutputValues().get(2).amount).isEqualByComparingTo("2");
        assertThat(out.get(0).partnerShare).isNull();
    }

    private static long ms(String iso) {
        return at(iso).toEpochMilli();
    }

    /** Usage of s1 with the given partition watermark (arrival: a minute after it happened). */
    private void usageWithPw(String id, String time, String pw) throws Exception {
        long t = ms(time);
        h.processElement(valid(usage(id, "s1", "vcpu", "1", time), t + 60_000, pw == null ? Long.MIN_VALUE : ms(pw)), t);
    }

    @Test
    void usageWhosePartitionWatermarkPassedItsHourEndPlusLatenessIsALateAdjustmentBookedAtPwMinusLateness() throws Exception {
        defaultBook();
        reference(chain("d1", "p1", "t1", "s1", "b1"));
        // the operator's own watermark is still at its start: d = pw
        usageWithPw("onTime", "2026-01-10T04:00:00Z", "2026-01-10T05:00:00Z");   // hour 04-05 is final at 06:00: on time
        usageWithPw("late", "2026-01-10T03:59:59Z", "2026-01-10T05:00:00Z");     // hour 03-04 is final at 05:00: late
        usageWithPw("justOnTime", "2026-01-10T03:59:59Z", "2026-01-10T04:59:59.999Z");
        List<RatedEvent> out = h.extractOutputValues();
        assertThat(out).extracting(r -> r.event.getEventId() + ":" + r.lateAdjustment)
                .containsExactly("onTime:false", "late:true", "justOnTime:false");
        assertThat(out.get(0).bookingTime).isEqualTo(ms("2026-01-10T04:00:00Z"));
        assertThat(out.get(1).bookingTime).isEqualTo(ms("2026-01-10T04:00:00Z"));   // pw - L
        assertThat(out.get(1).period).isEqualTo("2026-01");
        assertThat(out.get(1).bookedPeriod).isEqualTo("2026-01");
        assertThat(out.get(2).bookingTime).isEqualTo(ms("2026-01-10T03:59:59Z"));
        // rated against its own period's tiers: the cumulative quantity continues
        assertThat(out.get(1).amount).isEqualByComparingTo("1.00");
    }

    @Test
    void usageIsLateWhenTheOperatorsWatermarkPassedItsHourEndPlusLatenessWhateverItsPartitionWatermark() throws Exception {
        defaultBook();
        reference(chain("d1", "p1", "t1", "s1", "b1"));
        h.processWatermark(ms("2026-01-10T05:30:00Z"));
        usageWithPw("noPw", "2026-01-10T03:59:59Z", null);
        usageWithPw("lowPw", "2026-01-10T03:10:00Z", "2026-01-10T04:00:00Z");
        usageWithPw("onTime", "2026-01-10T04:10:00Z", "2026-01-10T04:00:00Z");
        List<RatedEvent> out = h.extractOutputValues();
        assertThat(out).extracting(r -> r.event.getEventId() + ":" + r.lateAdjustment)
                .containsExactly("noPw:true", "lowPw:true", "onTime:false");
        // booked at the watermark minus the lateness: a window no operator downstream has finalized
        assertThat(out.get(0).bookingTime).isEqualTo(ms("2026-01-10T04:30:00Z"));
        assertThat(out.get(1).bookingTime).isEqualTo(ms("2026-01-10T04:30:00Z"));
        assertThat(out.get(2).bookingTime).isEqualTo(ms("2026-01-10T04:10:00Z"));
    }

    @Test
    void aLateAdjustmentIsBookedAtTheLaterOfBothWatermarksMinusTheLateness() throws Exception {
        defaultBook();
        reference(chain("d1", "p1", "t1", "s1", "b1"));
        h.processWatermark(ms("2026-01-10T05:40:00Z"));
        usageWithPw("byWatermark", "2026-01-10T02:00:00Z", "2026-01-10T05:10:00Z");
        usageWithPw("byPw", "2026-01-10T02:00:00Z", "2026-01-10T06:00:00Z");
        List<RatedEvent> out = h.extractOutputValues();
        assertThat(out).allMatch(r -> r.lateAdjustment);
        assertThat(out.get(0).bookingTime).isEqualTo(ms("2026-01-10T04:40:00Z"));
        assertThat(out.get(1).bookingTime).isEqualTo(ms("2026-01-10T05:00:00Z"));
    }

    @Test
    void aLateAdjustmentOfALastMonthIsBookedIntoTheOpenPeriod() throws Exception {
        defaultBook();
        reference(chain("d1", "p1", "t1", "s1", "b1"));
        usageWithPw("late", "2026-01-31T10:00:00Z", "2026-02-03T12:00:00Z");
        RatedEvent r = h.extractOutputValues().get(0);
        assertThat(r.lateAdjustment).isTrue();
        assertThat(r.period).isEqualTo("2026-01");
        assertThat(r.bookedPeriod).isEqualTo("2026-02");
        assertThat(r.bookingTime).isEqualTo(ms("2026-02-03T11:00:00Z"));
    }

    @Test
    void afterARestoreThePartitionWatermarkDecidesAsBeforeThoughTheOperatorsWatermarkStartsOver() throws Exception {
        defaultBook();
        reference(chain("d1", "p1", "t1", "s1", "b1"));
        h.processWatermark(ms("2026-01-10T05:00:00Z"));
        usageWithPw("e0", "2026-01-10T03:00:00Z", "2026-01-10T05:00:00Z");
        assertThat(h.extractOutputValues()).singleElement().satisfies(r -> assertThat(r.lateAdjustment).isTrue());
        OperatorSubtaskState snapshot = h.snapshot(1, 1);
        h.close();

        h = new KeyedBroadcastOperatorTestHarness<>(
                new org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator<>(
                        new RatingFunction(GRACE, LATENESS, MAX_AGE, Duration.ofHours(24), Duration.ofHours(1), null), List.of(PipelineState.referenceData())),
                new Keys.Subscription(), Types.STRING, 1, 1, 0);
        h.setup();
        h.initializeState(snapshot);
        h.open();
        h.processBroadcastWatermark(Long.MAX_VALUE);
        // the restored operator has no watermark yet; the record's partition watermark (restored with the source
        // offsets) alone decides, as it did before the restore
        usageWithPw("e1", "2026-01-10T03:10:00Z", "2026-01-10T05:00:00Z");
        usageWithPw("e2", "2026-01-10T04:10:00Z", "2026-01-10T05:00:00Z");
        assertThat(h.extractOutputValues()).extracting(r -> r.event.getEventId() + ":" + r.lateAdjustment + ":" + r.partnerId)
                .containsExactly("e1:true:p1", "e2:false:p1");
        assertThat(h.extractOutputValues().get(0).bookingTime).isEqualTo(ms("2026-01-10T04:00:00Z"));
        assertThat(subscriptionsWithQuantities(h)).isEqualTo(1);
    }

    @Test
    void usageReleasedFromTheGraceBufferIsJudgedWithTheWatermarkAtRelease() throws Exception {
        defaultBook();
        usageWithPw("waits", "2026-01-10T03:00:00Z", "2026-01-10T03:30:00Z");
        assertThat(h.extractOutputValues()).isEmpty();
        // the watermark moves on while it waits (the one non-deterministic case besides an idle partition coming back)
        h.processWatermark(ms("2026-01-10T06:00:00Z"));
        reference(chain("d1", "p1", "t1", "s1", "b1"));
        h.setProcessingTime(GRACE.toMillis());
        assertThat(h.extractOutputValues()).singleElement().satisfies(r -> {
            assertThat(r.lateAdjustment).isTrue();
            assertThat(r.bookingTime).isEqualTo(ms("2026-01-10T05:00:00Z"));
        });
    }

    @Test
    void cumulativeQuantitiesExpireAfterTheLastValidEventOfThePeriod() throws Exception {
        defaultBook();
        reference(chain("d1", "p1", "t1", "s1", "b1"));
        usageAt("e1", "s1", "vcpu", "1", "2026-01-10T00:00:00Z");
        assertThat(subscriptionsWithQuantities(h)).isEqualTo(1);
        // January's retention, and the hour at which the subscription forgets e1 (de-duplication is in this operator)
        assertThat(h.numEventTimeTimers()).isEqualTo(2);
        h.processWatermark(at("2026-02-01T00:00:00Z").plus(MAX_AGE).toEpochMilli());
        assertThat(subscriptionsWithQuantities(h)).isZero();
        assertThat(h.numEventTimeTimers()).isZero();
    }
}
