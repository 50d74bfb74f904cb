package cms.pipeline.rollup;

import cms.avro.NodeLevel;
import cms.pipeline.model.RatedEvent;
import cms.pipeline.model.RollupRow;
import cms.rollup.Granularity;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;

import java.math.BigDecimal;

/**
 * One rated event's contribution to every window it is booked into: HOUR, DAY and MONTH at the
 * subscription, tenant, partner and distributor level, by meter and currency; each names the node's
 * parent, whose by-child breakdown (rollups_by_child) the roll-up operator writes from the same window
 * (12 contributions an event rather than 21: fewer records shuffled, less state, fewer timers).
 * Windows are those of the booking time: the event time, or for a late adjustment the watermark at
 * which it was rated.
 */
public final class ContributionsFunction implements FlatMapFunction<RatedEvent, RollupRow> {
    private static final long serialVersionUID = 1L;

    @Override
    public void flatMap(RatedEvent e, Collector<RollupRow> out) {
        String sub = e.subscriptionId();
        for (Granularity g : Granularity.values()) {
            out.collect(row(e, g, NodeLevel.SUBSCRIPTION, sub, e.tenantId));
            out.collect(row(e, g, NodeLevel.TENANT, e.tenantId, e.partnerId));
            out.collect(row(e, g, NodeLevel.PARTNER, e.partnerId, e.distributorId));
            out.collect(row(e, g, NodeLevel.DISTRIBUTOR, e.distributorId, ""));
        }
    }

    static RollupRow row(RatedEvent e, Granularity g, NodeLevel level, String nodeId, String parentId) {
        RollupRow r = new RollupRow();
        r.level = level.name();
        r.nodeId = nodeId;
        r.parentId = parentId;
        r.granularity = g.name();
        r.windowStart = g.start(e.bookingTime);
        r.windowEnd = g.end(e.bookingTime);
        r.bucket = g.bucket(e.bookingTime);
        r.meterId = e.event.getMeterId();
        r.currency = e.currency;
        r.status = RollupRow.OPEN;
        r.eventCount = 1;
        r.quantity = e.event.getQuantity();
        r.amount = e.amount;
        r.partnerCommission = e.partnerCommission;
        r.distributorCommission = e.distributorCommission;
        r.adjustmentCount = e.lateAdjustment ? 1 : 0;
        r.adjustmentAmount = e.lateAdjustment ? e.amount : BigDecimal.ZERO;
        r.receivedAt = e.receivedAt;
        return r;
    }
}
