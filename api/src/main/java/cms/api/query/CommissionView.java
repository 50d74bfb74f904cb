package cms.api.query;

import io.swagger.v3.oas.annotations.media.Schema;

import java.util.List;

/** GET /v1/commissions/{level}/{id}: commission earned in a period, per currency and per child. */
public record CommissionView(String level, String id, String period, String status,
                             @Schema(format = "date-time", description = "when the period's MONTH window of the node and its "
                                     + "children was last written by the pipeline: the latest write of any row read, ISO-8601 UTC; "
                                     + "null when there is none") String updatedAt,
                             List<Total> totals, List<Child> children) {
    /** {@code amount}: what the commission was earned on. */
    public record Total(String currency, String amount, String commission) {}

    public record Child(String childId, String currency, String amount, String commission) {}
}
