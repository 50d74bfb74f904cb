package cms.pipeline.model;

import org.apache.flink.api.common.typeinfo.TypeInfo;

import cms.avro.CommissionShare;
import cms.avro.UsageEvent;

import java.math.BigDecimal;

/**
 * A usage event after enrichment and rating, on its way through the commission stages (which fill
 * in the commissions) to the roll-ups and cms.usage.rated.v1.
 */
@TypeInfo(RatedEventSerializer.Factory.class)
public class RatedEvent {
    public UsageEvent event;
    public String tenantId;
    public String partnerId;
    public String distributorId;
    public String priceBookId;
    /** effectiveFrom of the price-book version applied, epoch millis. */
    public long priceBookVersion;
    public String currency;
    /** The increase this event causes in its subscription's period amount for the meter (scale 18). */
    public BigDecimal amount;
    public BigDecimal partnerCommission;
    public BigDecimal distributorCommission;
    public String partnerPlanId;
    public String distributorPlanId;
    /** The resolved shares (null: no plan gives one, so the commission is zero). */
    public CommissionShare partnerShare;
    public CommissionShare distributorShare;
    /** The event's own billing period, YYYY-MM. */
    public String period;
    /** The period the event is booked into: its own, or the open one for a late adjustment. */
    public String bookedPeriod;
    public boolean lateAdjustment;
    /** The instant whose windows the event is booked into: eventTime, or the watermark for a late adjustment. */
    public long bookingTime;
    /** When the usage reached Kafka (its record timestamp): how long it waited to be rated tells whether the job is catching up. */
    public long receivedAt;
    /**
     * The usage record it came from (coordinates and bytes), for a dead letter should the rated output refuse
     * it; dropped (null) once its rated record was checked, so that later shuffles do not carry it.
     */
    public RawRecord source;

    public RatedEvent() {}

    public String subscriptionId() {
        return event.getSubscriptionId();
    }

    @Override
    public String toString() {
        return "RatedEvent{" + event.getEventId() + " " + subscriptionId() + "/" + tenantId + "/" + partnerId + "/" + distributorId
                + " amount=" + amount + " " + currency + " pc=" + partnerCommission + " dc=" + distributorCommission
                + " period=" + period + " booked=" + bookedPeriod + (lateAdjustment ? " LATE" : "") + "}";
    }
}
