package cms.pipeline.rating;

import cms.avro.DeadLetterReason;
import cms.avro.HierarchyChange;
import cms.avro.PriceBookVersion;
import cms.avro.Rate;
import cms.avro.UsageEvent;
import cms.pipeline.model.PipelineState;
import cms.pipeline.dedup.SeenEventIds;
import cms.pipeline.hierarchy.ReferenceIndex;
import cms.pipeline.hierarchy.ReferenceSnapshot;
import cms.pipeline.hierarchy.ReferenceIndex.Resolution;
import cms.pipeline.hierarchy.ReferenceIndex.ResolvedShare;
import cms.pipeline.model.PendingUsage;
import cms.pipeline.model.RatedEvent;
import cms.pipeline.model.ReferenceUpdate;
import cms.pipeline.model.SubscriptionState;
import cms.pipeline.model.ValidUsage;
import cms.pipeline.model.DeadLetters;
import cms.rollup.BillingPeriod;
import cms.rollup.Granularity;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Keyed by subscription, with all reference data broadcast: de-duplicates by eventId, resolves the
 * lineage, price book and commission plans as they stood at eventTime, rates the event cumulatively
 * within its billing period, and decides once, for every roll-up level, whether it is a late adjustment.
 *
 * <ul>
 *   <li>Duplicates: a repeat of an eventId the subscription has seen within the de-duplication horizon
 *       goes to the DUPLICATES side output ({@link SeenEventIds}); it is never rated, waited for or
 *       dead-lettered.</li>
 *   <li>Unknown subscription (or price book, or a named plan): the event waits in keyed state for the
 *       grace period (processing time: the hierarchy may reach Kafka a little after the usage); it is
 *       retried on every new event of the subscription and when the grace ends, then rated or
 *       dead-lettered UNKNOWN_SUBSCRIPTION / UNPRICED.</li>
 *   <li>Late: with d = max(pw, w), pw the record's partition watermark (computed after the source from
 *       its Kafka partition's prefix, see PartitionWatermarkFunction) and w this operator's current
 *       event-time watermark, an event is a late adjustment iff d &gt;= (end of its HOUR window) + the
 *       allowed lateness L. It is then booked at d - L: into the HOUR/DAY/MONTH windows and the billing
 *       period holding d - L, rated against its own period's tiers. Downstream watermarks are never
 *       ahead of w when the record is emitted, so every window chosen this way (late or not) is still
 *       OPEN downstream. Normally w &lt;= pw (the record's own partition holds the watermark back), so
 *       d = pw and the decision depends only on the partition's prefix: restores and full replays repeat
 *       it. It can differ between runs only when w &gt; pw: a partition that was idle comes back behind
 *       the others, or usage is released from the grace buffer after the watermark moved on.</li>
 *   <li>Cumulative quantities of a period are kept until the period's end plus the retention (the
 *       maximum event age, older usage being INVALID, plus the maximum event lead, by which the
 *       event-time watermark can run ahead of arrivals), then dropped by an event-time timer registered
 *       when the subscription's first quantity of the period is kept.</li>
 * </ul>
 *
 * <p>What it remembers of a subscription (its eventIds and cumulative quantities) is one keyed value,
 * {@link SubscriptionState}: an event reads and writes one entry, and a checkpoint writes one block per
 * subscription. Usage waiting for reference data is apart (rare, and kept whole).
 */
public final class RatingFunction extends KeyedBroadcastProcessFunction<String, ValidUsage, ReferenceUpdate, RatedEvent> {
    private static final long serialVersionUID = 1L;

    private enum Outcome { DONE, WAIT }

    /** Until the commission stages set theirs (BigDecimal is immutable: one instance serves every event). */
    private static final BigDecimal NO_COMMISSION = BigDecimal.ZERO.setScale(Pricing.MONEY_SCALE);

    private final long graceMillis;
    private final long latenessMillis;
    private final long retentionMillis;
    private final long dedupHorizonMillis;
    private final long maxEventLeadMillis;
    private final ReferenceSnapshot snapshot;
    /**
     * Built once: {@link PipelineState#referenceData()} makes a new descriptor whose type information is
     * extracted by reflection, which cost more than rating itself when it was done for every record.
     */
    private final MapStateDescriptor<String, ReferenceUpdate> referenceData = PipelineState.referenceData();

    private transient List<ReferenceUpdate> snapshotted;
    private transient ValueState<SubscriptionState> subscription;
    private transient ListState<PendingUsage> pending;
    private transient ReferenceIndex index;
    private transient SeenEventIds seen;
    private transient Counter duplicates;

    /**
     * @param retention how long after a period's end its cumulative quantities are kept (event time):
     *                  max-event-age + max-event-lead
     * @param dedupHorizon how long after an eventId's first arrival (record timestamp) a repeat is a duplicate
     * @param maxEventLead how far the event-time watermark can run ahead of arrivals (validation's bound)
     * @param snapshot  reads the reference topics as they stand when the task starts, before any usage
     *                  is rated; null to rely on the broadcast stream alone (as operator tests do)
     */
    public RatingFunction(Duration grace, Duration allowedLateness, Duration retention, Duration dedupHorizon, Duration maxEventLead,
                          ReferenceSnapshot snapshot) {
        this.graceMillis = grace.toMillis();
        this.latenessMillis = allowedLateness.toMillis();
        this.retentionMillis = retention.toMillis();
        this.dedupHorizonMillis = dedupHorizon.toMillis();
        this.maxEventLeadMillis = maxEventLead.toMillis();
        this.snapshot = snapshot;
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        snapshotted = snapshot == null ? List.of() : snapshot.read();
        subscription = getRuntimeContext().getState(PipelineState.subscriptionState());
        pending = getRuntimeContext().getListState(PipelineState.pendingUsage());
        seen = new SeenEventIds(dedupHorizonMillis, maxEventLeadMillis);
        duplicates = getRuntimeContext().getMetricGroup().counter("duplicates");
    }

    @Override
    public void processBroadcastElement(ReferenceUpdate update, Context ctx, Collector<RatedEvent> out) throws Exception {
        indexOf(ctx.getBroadcastState(referenceData));
        if (snapshot == null) {
            // without a start-up snapshot the broadcast state is what a restored task knows the reference data from
            ctx.getBroadcastState(referenceData).put(update.versionKey(), update);
        }
        // With one, nothing is kept in Flink state: every (re)start reads the topics to their end before rating, and
        // the reference source resumes from its checkpointed offsets, so the index is whole without checkpointing it
        // (the broadcast state was deep-copied on the task thread at every checkpoint: 25 MB for 100,000
        // subscriptions, the largest stall of the rating stage; see BENCHMARKS.md). Adding a version twice is harmless.
        index.add(update);
    }

    @Override
    public void processElement(ValidUsage usage, ReadOnlyContext ctx, Collector<RatedEvent> out) throws Exception {
        SubscriptionState s = subscription.value();
        if (s == null) {
            s = new SubscriptionState();
        }
        if (!seen.firstSighting(s, usage, ctx.timerService())) {
            duplicates.inc();
            ctx.output(PipelineState.DUPLICATES, usage);
            return;
        }
        indexOf(ctx.getBroadcastState(referenceData));
        long now = ctx.timerService().currentProcessingTime();
        List<PendingUsage> waiting = pendingList();
        if (!waiting.isEmpty()) {
            retry(s, waiting, now, ctx, out);
        }
        if (attempt(s, usage, true, ctx, out) == Outcome.WAIT) {
            long deadline = now + graceMillis;
            pending.add(new PendingUsage(usage, deadline));
            ctx.timerService().registerProcessingTimeTimer(deadline);
        }
        subscription.update(s);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<RatedEvent> out) throws Exception {
        if (ctx.timeDomain() == TimeDomain.PROCESSING_TIME) {
            List<PendingUsage> waiting = pendingList();
            if (!waiting.isEmpty()) {
                indexOf(ctx.getBroadcastState(referenceData));
                SubscriptionState s = subscription.value();
                if (s == null) {
                    s = new SubscriptionState();
                }
                retry(s, waiting, timestamp, ctx, out);
                keep(s);
            }
            return;
        }
        SubscriptionState s = subscription.value();
        if (s == null) {
            return;
        }
        // event time: forget the eventIds of a subscription gone quiet (SeenEventIds' backstop), and drop the cumulative
        // quantities of periods no valid event can reach any more (the timers of both are here; each check is cheap for
        // the other's). The first period still reachable: the one whose end + retention is after the timer.
        seen.onEventTime(s, timestamp);
        s.forgetQuantitiesBefore(BillingPeriod.index(timestamp - retentionMillis));
        keep(s);
    }

    /** Writes the subscription's state back, or drops it when nothing is left in it. */
    private void keep(SubscriptionState s) throws Exception {
        if (s.isEmpty()) {
            subscription.clear();
        } else {
            subscription.update(s);
        }
    }

    /** Retries waiting usage; usage past its deadline is rated or dead-lettered for good. */
    private void retry(SubscriptionState s, List<PendingUsage> waiting, long now, ReadOnlyContext ctx, Collector<RatedEvent> out)
            throws Exception {
        List<PendingUsage> still = new ArrayList<>();
        for (PendingUsage p : waiting) {
            if (attempt(s, p.usage, p.deadline > now, ctx, out) == Outcome.WAIT) {
                still.add(p);
            }
        }
        if (still.size() != waiting.size()) {
            if (still.isEmpty()) {
                pending.clear();
            } else {
                pending.update(still);
            }
        }
    }

    private Outcome attempt(SubscriptionState s, ValidUsage usage, boolean mayWait, ReadOnlyContext ctx, Collector<RatedEvent> out)
            throws Exception {
        UsageEvent e = usage.event;
        long t = e.getEventTime().toEpochMilli();
        Resolution r = index.resolve(e.getSubscriptionId(), t);
        if (r.kind() == Resolution.Kind.MISSING) {
            if (mayWait) {
                return Outcome.WAIT;
            }
            return deadLetter(DeadLetterReason.UNKNOWN_SUBSCRIPTION, r.detail(), usage, ctx);
        }
        if (r.kind() == Resolution.Kind.INACTIVE) {
            return deadLetter(DeadLetterReason.INACTIVE_SUBSCRIPTION, r.detail(), usage, ctx);
        }
        HierarchyChange sub = r.subscription();
        if (sub.getPriceBookId() == null) {
            return deadLetter(DeadLetterReason.UNPRICED, "subscription " + sub.getId() + " has no price book at " + e.getEventTime(), usage, ctx);
        }
        PriceBookVersion book = index.priceBookAt(sub.getPriceBookId(), t);
        if (book == null && mayWait) {
            return Outcome.WAIT;
        }
        if (mayWait && index.plansMissing(r, t)) {
            return Outcome.WAIT;
        }
        if (book == null) {
            return deadLetter(DeadLetterReason.UNPRICED, "price book " + sub.getPriceBookId() + " has no version effective at "
                    + e.getEventTime(), usage, ctx);
        }
        Rate rate = Pricing.rateFor(book, e.getMeterId(), e.getRegion());
        if (rate == null) {
            return deadLetter(DeadLetterReason.UNPRICED, "price book " + book.getPriceBookId() + " (version " + book.getEffectiveFrom()
                    + ") has no rate for meter " + e.getMeterId() + (e.getRegion() == null ? "" : " in region " + e.getRegion()), usage, ctx);
        }
        String defect = Pricing.defect(rate);
        if (defect != null) {
            return deadLetter(DeadLetterReason.UNPRICED, "price book " + book.getPriceBookId() + ": " + defect, usage, ctx);
        }

        int period = BillingPeriod.index(t);
        BigDecimal before = s.quantity(period, e.getMeterId());
        boolean firstOfPeriod = before == null && s.hasNoQuantityOf(period);
        before = before == null ? BigDecimal.ZERO : before;
        BigDecimal amount = Pricing.increase(rate, before, e.getQuantity());
        if (!Pricing.fitsMoney(amount)) {
            // before the cumulative quantity counts it: a dead letter must not move later events' tiers
            return deadLetter(DeadLetterReason.UNDELIVERABLE, "the rated output cannot hold amount " + amount.toPlainString()
                    + ": more than the " + Pricing.MONEY_PRECISION + " digits of decimal(" + Pricing.MONEY_PRECISION + "," + Pricing.MONEY_SCALE
                    + ")", usage, ctx);
        }
        s.quantity(period, e.getMeterId(), before.add(e.getQuantity()));
        if (firstOfPeriod) {
            // the period's quantities are dropped by this timer, so a period held in state has its timer registered
            ctx.timerService().registerEventTimeTimer(BillingPeriod.startMillis(period + 1) + retentionMillis);
        }

        // d = max(partition watermark, this operator's watermark): see the class comment
        long d = Math.max(usage.partitionWatermark, ctx.timerService().currentWatermark());
        boolean late = d >= Granularity.HOUR.end(t) + latenessMillis;
        long bookingTime = late ? d - latenessMillis : t;

        RatedEvent rated = new RatedEvent();
        rated.event = e;
        rated.tenantId = r.tenant().getId();
        rated.partnerId = r.partner().getId();
        rated.distributorId = r.distributor().getId();
        rated.priceBookId = book.getPriceBookId();
        rated.priceBookVersion = book.getEffectiveFrom().toEpochMilli();
        rated.currency = book.getCurrency();
        rated.amount = amount;
        rated.partnerCommission = NO_COMMISSION;
        rated.distributorCommission = NO_COMMISSION;
        ResolvedShare ps = index.partnerShare(r.partner(), r.distributor(), t);
        ResolvedShare ds = index.distributorShare(r.distributor(), t);
        rated.partnerPlanId = ps == null ? null : ps.planId();
        rated.partnerShare = ps == null ? null : ps.share();
        rated.distributorPlanId = ds == null ? null : ds.planId();
        rated.distributorShare = ds == null ? null : ds.share();
        rated.period = BillingPeriod.name(period);
        rated.lateAdjustment = late;
        rated.bookingTime = bookingTime;
        rated.receivedAt = usage.source.timestamp;
        rated.source = usage.source;
        rated.bookedPeriod = late ? BillingPeriod.name(BillingPeriod.index(bookingTime)) : rated.period;
        out.collect(rated);
        return Outcome.DONE;
    }

    private Outcome deadLetter(DeadLetterReason reason, String detail, ValidUsage usage, ReadOnlyContext ctx) {
        ctx.output(PipelineState.DEAD_LETTERS, DeadLetters.of(reason, detail, usage.source, usage.event.getEventId()));
        return Outcome.DONE;
    }

    private List<PendingUsage> pendingList() throws Exception {
        List<PendingUsage> list = new ArrayList<>();
        Iterable<PendingUsage> it = pending.get();
        if (it != null) {
            it.forEach(list::add);
        }
        return list;
    }

    /** The index, rebuilt from the start-up snapshot and broadcast state the first time it is needed after (re)start. */
    private ReferenceIndex indexOf(ReadOnlyBroadcastState<String, ReferenceUpdate> state) throws Exception {
        if (index == null) {
            ReferenceIndex fresh = new ReferenceIndex();
            snapshotted.forEach(fresh::add);
            for (Map.Entry<String, ReferenceUpdate> e : state.immutableEntries()) {
                fresh.add(e.getValue());
            }
            index = fresh;
        }
        return index;
    }
}
