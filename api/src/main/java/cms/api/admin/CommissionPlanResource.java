package cms.api.admin;

import cms.api.auth.Caller;
import cms.api.auth.Role;
import cms.api.errors.ApiErrors;
import cms.api.errors.Problems;
import cms.api.hierarchy.Ids;
import cms.api.hierarchy.Plan;
import cms.api.hierarchy.ReferencePublisher;
import cms.api.hierarchy.Scope;
import cms.api.input.BoundedText;
import cms.avro.CommissionPlan;
import cms.avro.CommissionShare;
import cms.avro.PlanOwner;
import cms.avro.ShareModel;
import cms.avro.ShareTier;
import com.codahale.metrics.annotation.Timed;
import io.dropwizard.auth.Auth;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Commission plans: each PUT adds (or repeats) one effective-dated version. The platform writes the
 * frameworks and the plan named "default"; a distributor or a partner writes plans it owns.
 */
@Path("/v1/commission-plans")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public final class CommissionPlanResource {
    public static final String DEFAULT_PLAN = "default";
    static final Decimals AMOUNT = new Decimals(38, 18);
    static final Decimals RATE = new Decimals(19, 18);

    public record Body(String name, PlanOwner owner, String ownerId, Instant effectiveFrom, ShareBody partnerShare,
                       ShareBody distributorShare) {}

    public record ShareBody(ShareModel model, List<TierBody> tiers) {}

    public record TierBody(BigDecimal upTo, BigDecimal rate) {}

    private final Scope scope;
    private final ReferencePublisher publisher;
    private final Clock clock;

    public CommissionPlanResource(Scope scope, ReferencePublisher publisher, Clock clock) {
        this.scope = scope;
        this.publisher = publisher;
        this.clock = clock;
    }

    @GET
    @Timed
    @Path("{id}")
    @Operation(operationId = "getCommissionPlan")
    public PlanView get(@Auth Caller caller, @PathParam("id") String id) {
        return Views.plan(scope.plan(caller, id));
    }

    @PUT
    @Timed
    @Path("{id}")
    @Operation(operationId = "putCommissionPlan")
    @ApiResponse(responseCode = "200", description = "the id existed", content = @Content(schema = @Schema(implementation = PlanView.class)))
    @ApiResponse(responseCode = "201", description = "the id was new", content = @Content(schema = @Schema(implementation = PlanView.class)))
    public Response put(@Auth Caller caller, @PathParam("id") String id, Body body) {
        Optional<Plan> existing = scope.planForWrite(caller, id);
        if (existing.isPresent()) {
            scope.requireMayOwnPlan(caller, existing.get().owner(), existing.get().ownerId());
        }
        if (!Ids.isValid(id)) {
            throw ApiErrors.badRequest("id", "must match " + Ids.PATTERN);
        }
        NodeResource.requireBody(body);
        // the owner defaults to the caller itself: what a distributor or partner means by "my plan"
        PlanOwner owner = body.owner() != null ? body.owner() : switch (caller.role()) {
            case PLATFORM_ADMIN -> PlanOwner.PLATFORM;
            case DISTRIBUTOR -> PlanOwner.DISTRIBUTOR;
            default -> PlanOwner.PARTNER;
        };
        String ownerId = body.owner() != null || caller.role() == Role.PLATFORM_ADMIN ? body.ownerId() : caller.org();

        Problems problems = new Problems();
        if (body.effectiveFrom() == null) {
            problems.add("effectiveFrom", "is required");
        }
        BoundedText.check("name", body.name(), NodeResource.MAX_NAME, problems);
        if (owner == PlanOwner.PLATFORM && ownerId != null) {
            problems.add("ownerId", "must be absent for a PLATFORM plan");
        }
        if (owner != PlanOwner.PLATFORM && !Ids.isValid(ownerId)) {
            problems.add("ownerId", "is required for a " + owner + " plan and must match " + Ids.PATTERN);
        }
        if (DEFAULT_PLAN.equals(id) && owner != PlanOwner.PLATFORM) {
            problems.add("owner", "the plan named default belongs to the PLATFORM");
        }
        if (existing.isPresent() && (existing.get().owner() != owner || !Objects.equals(existing.get().ownerId(), ownerId))) {
            problems.add("owner", "a plan's owner is fixed once created (it is " + existing.get().owner()
                    + (existing.get().ownerId() != null ? " '" + existing.get().ownerId() + "'" : "") + ")");
        }
        problems.throwIfAny();
        scope.requireMayOwnPlan(caller, owner, ownerId);
        if (owner != PlanOwner.PLATFORM) {
            scope.planOwnerForWrite(caller, owner, ownerId, "ownerId");
        }

        CommissionShare partnerShare = share(body.partnerShare(), "partnerShare", problems);
        CommissionShare distributorShare = share(body.distributorShare(), "distributorShare", problems);
        if (owner == PlanOwner.PARTNER && body.distributorShare() != null) {
            problems.add("distributorShare", "a partner's plan sets only partnerShare (the distributor's share follows the distributor's plan)");
        }
        if (DEFAULT_PLAN.equals(id) && (body.partnerShare() == null || body.distributorShare() == null)) {
            problems.add(body.partnerShare() == null ? "partnerShare" : "distributorShare",
                    "the default plan ends every chain, so it sets both shares");
        }
        if (body.partnerShare() == null && body.distributorShare() == null) {
            problems.add("partnerShare", "a plan sets at least one share");
        }
        problems.throwIfAny();

        CommissionPlan plan = CommissionPlan.newBuilder()
                .setPlanId(id)
                .setName(body.name())
                .setOwner(owner)
                .setOwnerId(ownerId)
                .setEffectiveFrom(body.effectiveFrom())
                .setPartnerShare(partnerShare)
                .setDistributorShare(distributorShare)
                .setRecordedAt(clock.instant())
                .setRecordedBy(caller.getName())
                .build();
        boolean repeat = existing.isPresent() && existing.get().versions().stream().anyMatch(v -> same(v, plan));
        if (!repeat) {
            publisher.publish(plan);
        }
        return Response.status(existing.isPresent() ? Response.Status.OK : Response.Status.CREATED)
                .entity(Views.plan(scope.plan(caller, id))).build();
    }

    private static CommissionShare share(ShareBody body, String field, Problems problems) {
        if (body == null) {
            return null;
        }
        if (body.model() == null) {
            problems.add(field + ".model", "is required (FLAT or GRADUATED)");
        }
        List<TierBody> tiers = body.tiers();
        if (tiers == null || tiers.isEmpty()) {
            problems.add(field + ".tiers", "at least one tier is required");
            return null;
        }
        if (tiers.size() > PriceBookResource.MAX_TIERS) {
            problems.add(field + ".tiers", "at most " + PriceBookResource.MAX_TIERS + " tiers, was " + tiers.size());
            return null;
        }
        if (body.model() == ShareModel.FLAT && tiers.size() != 1) {
            problems.add(field + ".tiers", "FLAT has exactly one tier");
        }
        List<ShareTier> out = new ArrayList<>();
        TierBounds bounds = new TierBounds(field + ".tiers", tiers.size(), AMOUNT);
        for (int j = 0; j < tiers.size(); j++) {
            String t = field + ".tiers[" + j + "]";
            TierBody tier = tiers.get(j);
            if (tier == null) {
                problems.add(t, "must not be null");
                continue;
            }
            bounds.check(j, tier.upTo(), problems);
            if (tier.rate() == null) {
                problems.add(t + ".rate", "is required");
            } else if (tier.rate().signum() < 0 || tier.rate().compareTo(BigDecimal.ONE) > 0) {
                problems.add(t + ".rate", "must be within 0..1, was " + tier.rate().toPlainString());
            } else {
                RATE.check(tier.rate(), t + ".rate", problems);
            }
            if (problems.isEmpty()) {
                out.add(ShareTier.newBuilder()
                        .setUpTo(tier.upTo() == null ? null : AMOUNT.scaled(tier.upTo()))
                        .setRate(RATE.scaled(tier.rate()))
                        .build());
            }
        }
        return problems.isEmpty() ? CommissionShare.newBuilder().setModel(body.model()).setTiers(out).build() : null;
    }

    private static boolean same(CommissionPlan a, CommissionPlan b) {
        CommissionPlan normalized = CommissionPlan.newBuilder(b).setRecordedAt(a.getRecordedAt())
                .setRecordedBy(a.getRecordedBy()).build();
        return a.toString().equals(normalized.toString());
    }
}
