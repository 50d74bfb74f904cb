package cms.api.query;

import io.swagger.v3.oas.annotations.media.Schema;

import java.util.List;

/** GET /v1/statements/{tenantId}: a FINAL period's lines, rounded, and totals that are the sums of the rounded lines. */
public record StatementView(String tenantId, String period, String status, String finalAt,
                            @Schema(format = "date-time", description = "when the tenant's MONTH window of its subscriptions was "
                                    + "last written by the pipeline (its FINAL rows): the latest write of any line, ISO-8601 UTC; "
                                    + "null when the statement has no lines") String updatedAt,
                            List<Line> lines, List<Total> totals) {
    public record Line(String subscriptionId, String meterId, String currency, long eventCount, String quantity,
                       String amount, String unroundedAmount) {}

    public record Total(String currency, String amount) {}
}
