package cms.api.admin;

import java.util.List;

/** GET /v1/price-books/{id}: the version in effect now and every version. */
public record PriceBookView(String id, String currency, Version current, List<Version> versions) {
    public record Version(String name, String currency, String effectiveFrom, List<RateView> rates, String recordedAt) {}

    /** {@code region} null: every region without a rate of its own. */
    public record RateView(String meterId, String region, String model, String includedQuantity, List<TierView> tiers,
                           String unit) {}

    /** {@code upTo} null on the last, open tier. */
    public record TierView(String upTo, String unitPrice) {}
}
