package cms.api.query;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonInclude.Include;

import java.util.List;

/** GET /v1/usage/{level}/{id}: the node's windows with data in [from, to), oldest first. */
public record UsageView(String level, String id, String granularity, String from, String to, List<Window> windows) {
    /** FINAL when all its rows are; {@code byMeter} / {@code byChild} only when that breakdown was asked for. */
    public record Window(String start, String end, String status, long eventCount, List<CurrencyAmount> amounts,
                         @JsonInclude(Include.NON_NULL) List<MeterAmount> byMeter,
                         @JsonInclude(Include.NON_NULL) List<ChildAmount> byChild) {}

    /** The window's rows of one currency added together (meters too: money adds). */
    public record CurrencyAmount(String currency, long eventCount, String amount, String partnerCommission,
                                 String distributorCommission, long adjustmentCount, String adjustmentAmount) {}

    public record MeterAmount(String meterId, String currency, String status, long eventCount, String quantity,
                              String amount, String partnerCommission, String distributorCommission) {}

    public record ChildAmount(String childId, String currency, long eventCount, String amount,
                              String partnerCommission, String distributorCommission) {}
}
