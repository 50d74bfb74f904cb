package cms.pipeline.commission;

import cms.avro.CommissionShare;
import cms.pipeline.model.RatedEvent;

import java.math.BigDecimal;

/** Who earns a commission on an event: the partner or the distributor above its subscription. */
public enum Beneficiary {
    PARTNER, DISTRIBUTOR;

    public String idOf(RatedEvent e) {
        return this == PARTNER ? e.partnerId : e.distributorId;
    }

    CommissionShare shareOf(RatedEvent e) {
        return this == PARTNER ? e.partnerShare : e.distributorShare;
    }

    /** Sets the beneficiary's commission, and drops its share: no later stage reads it, so no later exchange carries it. */
    void set(RatedEvent e, BigDecimal commission) {
        if (this == PARTNER) {
            e.partnerCommission = commission;
            e.partnerShare = null;
        } else {
            e.distributorCommission = commission;
            e.distributorShare = null;
        }
    }
}
