package cms.api.query;

import cms.rollup.Granularity;
import cms.api.errors.ApiErrors;
import cms.api.hierarchy.NodeKind;
import cms.api.input.BoundedInstant;
import cms.api.input.InputLimits;
import cms.api.input.InputProblem;
import jakarta.ws.rs.WebApplicationException;

import java.time.Instant;
import java.util.Locale;

/** Query and path parameters, each refused with a 400 that names it. */
final class QueryParams {
    static NodeKind level(String level) {
        return NodeKind.parse(level).orElseThrow(() -> ApiErrors.badRequest("level",
                "must be distributor, partner, tenant or subscription; was " + InputLimits.echo(level)));
    }

    static Granularity granularity(String value) {
        if (value == null || value.isBlank()) {
            throw ApiErrors.badRequest("granularity", "is required (HOUR, DAY or MONTH)");
        }
        try {
            return Granularity.valueOf(value.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ApiErrors.badRequest("granularity", "must be HOUR, DAY or MONTH; was " + InputLimits.echo(value));
        }
    }

    /** ISO-8601 with an offset, e.g. 2026-10-01T00:00:00Z, within 1970..9999 (400 unreadable, 422 out of range). */
    static Instant instant(String value, String field) {
        if (value == null || value.isBlank()) {
            throw ApiErrors.badRequest(field, "is required (ISO-8601, e.g. 2026-10-01T00:00:00Z)");
        }
        try {
            return BoundedInstant.parse(value);
        } catch (InputProblem e) {
            throw new WebApplicationException(field + ": " + e.problem(), e.status());
        }
    }

    private QueryParams() {}
}
