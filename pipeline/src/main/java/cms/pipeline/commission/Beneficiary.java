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

    void set(RatedEvent e, BigDecimal commission) {
        if (this == PARTNER) {
            e.partnerCommission = commission;
        } else {
            e.distributorCommission = commission;
        }
    }
}
