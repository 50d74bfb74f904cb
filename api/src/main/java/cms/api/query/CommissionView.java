package cms.api.query;

import java.util.List;

/** GET /v1/commissions/{level}/{id}: commission earned in a period, per currency and per child. */
public record CommissionView(String level, String id, String period, String status, List<Total> totals,
                             List<Child> children) {
    /** {@code amount}: what the commission was earned on. */
    public record Total(String currency, String amount, String commission) {}

    public record Child(String childId, String currency, String amount, String commission) {}
}
