package cms.api.admin;

import java.util.List;

/** GET /v1/commission-plans/{id}: the version in effect now and every version. */
public record PlanView(String id, String owner, String ownerId, Version current, List<Version> versions) {
    /** A share is null when the plan does not set it. */
    public record Version(String name, String effectiveFrom, ShareView partnerShare, ShareView distributorShare,
                          String recordedAt) {}

    public record ShareView(String model, List<TierView> tiers) {}

    /** {@code upTo} null on the last, open tier. */
    public record TierView(String upTo, String rate) {}
}
