package cms.api.query;

import cms.api.errors.ApiErrors;
import cms.api.input.BoundedInstant;
import cms.api.input.InputLimits;
import cms.avro.NodeLevel;
import cms.rollup.BillingPeriod;
import cms.rollup.Granularity;

/** Billing periods as query parameters, on the definition the pipeline writes with (cms.rollup). */
public final class Periods {
    /** The period, or 400 naming the field. */
    public static BillingPeriod parse(String value, String field) {
        if (value == null || value.isBlank()) {
            throw ApiErrors.badRequest(field, "is required (YYYY-MM)");
        }
        BillingPeriod period;
        try {
            period = BillingPeriod.parse(value);
        } catch (IllegalArgumentException e) {
            throw ApiErrors.badRequest(field, "must be YYYY-MM, was " + InputLimits.echo(value));
        }
        if (!BoundedInstant.inRange(period.start())) {
            throw ApiErrors.unprocessable(field + ": " + BoundedInstant.rangeProblem(period.start()));
        }
        return period;
    }

    /** The rollups key of a period's MONTH window. */
    public static RollupKey monthKey(NodeLevel level, String id, BillingPeriod period) {
        return new RollupKey(level, id, Granularity.MONTH, Granularity.MONTH.bucket(period.start().toEpochMilli()));
    }

    private Periods() {}
}
