package cms.pipeline.commission;

import cms.avro.CommissionShare;
import cms.pipeline.model.PipelineState;
import cms.pipeline.model.RatedEvent;
import cms.pipeline.rating.Pricing;
import cms.rollup.BillingPeriod;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;

/**
 * Keyed by the beneficiary (a partner or a distributor): keeps its period-to-date amount across its
 * whole subtree, per currency, and gives each event the increase it causes in the beneficiary's
 * commission. The period is the event's own billing period (a late adjustment earns against the
 * period it was rated in). Amounts of a period are dropped once no valid event can reach it: when the
 * event-time watermark passes the period's end plus the retention (max-event-age + max-event-lead).
 */
public final class CommissionFunction extends KeyedProcessFunction<String, RatedEvent, RatedEvent> {
    private static final long serialVersionUID = 1L;

    /** BigDecimal is immutable: one zero serves every event without a share. */
    private static final BigDecimal NO_COMMISSION = BigDecimal.ZERO.setScale(Pricing.MONEY_SCALE);

    private final Beneficiary beneficiary;
    private final long retentionMillis;
    private transient MapState<String, BigDecimal> subtree;
    /** The last period whose end was parsed, and that end: nearly every event is of the same period as the one before. */
    private transient String lastPeriod;
    private transient String keyPeriod;
    private transient String keyCurrency;
    private transient String key;
    private transient long lastPeriodEnd;

    public CommissionFunction(Beneficiary beneficiary, Duration retention) {
        this.beneficiary = beneficiary;
        this.retentionMillis = retention.toMillis();
    }

    @Override
    public void open(OpenContext openContext) {
        subtree = getRuntimeContext().getMapState(PipelineState.subtreeAmount());
    }

    @Override
    public void processElement(RatedEvent e, Context ctx, Collector<RatedEvent> out) throws Exception {
        String key = keyOf(e.period, e.currency);
        BigDecimal before = subtree.get(key);
        if (before == null) {
            // a period's amounts are dropped by this timer, so an amount held in state has its timer registered
            ctx.timerService().registerEventTimeTimer(periodEnd(e.period) + retentionMillis);
            before = BigDecimal.ZERO;
        }
        CommissionShare share = beneficiary.shareOf(e);
        BigDecimal commission = share == null ? NO_COMMISSION : CommissionSchedule.increase(share, before, e.amount);
        subtree.put(key, before.add(e.amount));
        beneficiary.set(e, commission);
        out.collect(e);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<RatedEvent> out) throws Exception {
        Iterator<Map.Entry<String, BigDecimal>> it = subtree.iterator();
        while (it.hasNext()) {
            if (periodEnd(it.next().getKey().substring(0, 7)) + retentionMillis <= timestamp) {
                it.remove();
            }
        }
        if (subtree.isEmpty()) {
            subtree.clear();
        }
    }

    /** "period|currency", made once for a run of events of the same period and currency (their strings are shared). */
    private String keyOf(String period, String currency) {
        if (!period.equals(keyPeriod) || !currency.equals(keyCurrency)) {
            keyPeriod = period;
            keyCurrency = currency;
            key = period + "|" + currency;
        }
        return key;
    }

    private long periodEnd(String period) {
        if (!period.equals(lastPeriod)) {
            lastPeriodEnd = BillingPeriod.parse(period).end().toEpochMilli();
            lastPeriod = period;
        }
        return lastPeriodEnd;
    }
}
