package cms.api.query;

import cms.api.auth.Caller;
import com.codahale.metrics.annotation.Timed;
import io.dropwizard.auth.Auth;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import cms.rollup.BillingPeriod;

/**
 * GET /v1/periods/{YYYY-MM}: OPEN or FINAL, and the pipeline's watermark. A period the pipeline
 * has not written yet is OPEN without a watermark. Not node-scoped: periods are global.
 */
@Path("/v1/periods")
@Produces(MediaType.APPLICATION_JSON)
public final class PeriodResource {
    private final RollupStore store;

    public PeriodResource(RollupStore store) {
        this.store = store;
    }

    @GET
    @Timed
    @Path("{period}")
    public PeriodView period(@Auth Caller caller, @PathParam("period") String periodParam) {
        BillingPeriod period = Periods.parse(periodParam, "period");
        PeriodRow row = store.period(period.toString()).orElse(null);
        return new PeriodView(period.toString(), row != null && row.isFinal() ? "FINAL" : "OPEN",
                row == null || row.watermark() == null ? null : row.watermark().toString(),
                row == null || row.finalAt() == null ? null : row.finalAt().toString());
    }
}
