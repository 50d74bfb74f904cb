package cms.api.query;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonInclude.Include;
import io.swagger.v3.oas.annotations.media.Schema;

import java.util.List;

/** GET /v1/usage/{level}/{id}: the node's windows with data in [from, to), oldest first. */
public record UsageView(String level, String id, String granularity, String from, String to, List<Window> windows) {
    /** What every window (and every breakdown entry, a window of one meter or one child) says of its freshness. */
    static final String UPDATED_AT = "when the window's values were last written by the pipeline: the latest write of the "
            + "rows it adds up (its stored parts; for a DAY window without FINAL rows, the HOUR rows it is summed from), "
            + "ISO-8601 UTC (null only for rows written without it)";

    /** FINAL when all its rows are; {@code byMeter} / {@code byChild} only when that breakdown was asked for. */
    public record Window(String start, String end, String status,
                         @Schema(format = "date-time", description = UPDATED_AT) String updatedAt,
                         long eventCount, List<CurrencyAmount> amounts,
                         @JsonInclude(Include.NON_NULL) List<MeterAmount> byMeter,
                         @JsonInclude(Include.NON_NULL) List<ChildAmount> byChild) {}

    /** The window's rows of one currency added together (meters too: money adds). */
    public record CurrencyAmount(String currency, long eventCount, String amount, String partnerCommission,
                                 String distributorCommission, long adjustmentCount, String adjustmentAmount) {}

    public record MeterAmount(String meterId, String currency, String status,
                              @Schema(format = "date-time", description = UPDATED_AT) String updatedAt,
                              long eventCount, String quantity, String amount, String partnerCommission,
                              String distributorCommission) {}

    /** The child's window of one currency (its meters added together). */
    public record ChildAmount(String childId, String currency, long eventCount, String amount,
                              String partnerCommission, String distributorCommission,
                              @Schema(format = "date-time", description = UPDATED_AT) String updatedAt) {}
}
