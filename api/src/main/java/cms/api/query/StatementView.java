package cms.api.query;

import java.util.List;

/** GET /v1/statements/{tenantId}: a FINAL period's lines, rounded, and totals that are the sums of the rounded lines. */
public record StatementView(String tenantId, String period, String status, String finalAt, List<Line> lines,
                            List<Total> totals) {
    public record Line(String subscriptionId, String meterId, String currency, long eventCount, String quantity,
                       String amount, String unroundedAmount) {}

    public record Total(String currency, String amount) {}
}
