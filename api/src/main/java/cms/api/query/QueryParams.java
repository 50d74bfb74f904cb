package cms.api.query;

import cms.rollup.Granularity;
import cms.api.errors.ApiErrors;
import cms.api.hierarchy.NodeKind;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/** Query and path parameters, each refused with a 400 that names it. */
final class QueryParams {
    static NodeKind level(String level) {
        return NodeKind.parse(level).orElseThrow(() -> ApiErrors.badRequest("level",
                "must be distributor, partner, tenant or subscription; was '" + level + "'"));
    }

    static Granularity granularity(String value) {
        if (value == null || value.isBlank()) {
            throw ApiErrors.badRequest("granularity", "is required (HOUR, DAY or MONTH)");
        }
        try {
            return Granularity.valueOf(value.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ApiErrors.badRequest("granularity", "must be HOUR, DAY or MONTH; was '" + value + "'");
        }
    }

    /** ISO-8601 with an offset, e.g. 2026-10-01T00:00:00Z. */
    static Instant instant(String value, String field) {
        if (value == null || value.isBlank()) {
            throw ApiErrors.badRequest(field, "is required (ISO-8601, e.g. 2026-10-01T00:00:00Z)");
        }
        try {
            return OffsetDateTime.parse(value.strip()).toInstant();
        } catch (DateTimeParseException e) {
            throw ApiErrors.badRequest(field, "must be ISO-8601 with an offset, e.g. 2026-10-01T00:00:00Z; was '" + value + "'");
        }
    }

    private QueryParams() {}
}
