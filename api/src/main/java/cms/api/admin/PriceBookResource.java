package cms.api.admin;

import cms.api.auth.Caller;
import cms.api.errors.ApiErrors;
import cms.api.errors.Problems;
import cms.api.hierarchy.Ids;
import cms.api.hierarchy.PriceBook;
import cms.api.hierarchy.ReferencePublisher;
import cms.api.hierarchy.Scope;
import cms.api.input.BoundedText;
import cms.api.input.InputLimits;
import cms.avro.PriceBookVersion;
import cms.avro.PriceTier;
import cms.avro.PricingModel;
import cms.avro.Rate;
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
import java.util.Currency;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Price books: each PUT adds (or repeats) one effective-dated version. Platform-admin writes. */
@Path("/v1/price-books")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public final class PriceBookResource {
    /** The Avro decimals: quantities (precision 28, scale 9) and unit prices (precision 38, scale 18). */
    static final Decimals QUANTITY = new Decimals(28, 9);
    static final Decimals PRICE = new Decimals(38, 18);
    /** Rates of one version and tiers of one rate: far above any real book, well below a Kafka record's limit. */
    static final int MAX_RATES = 200;
    static final int MAX_TIERS = 50;
    static final int MAX_METER = 128;
    static final int MAX_REGION = 64;
    static final int MAX_UNIT = 32;

    public record Body(String name, String currency, Instant effectiveFrom, List<RateBody> rates) {}

    public record RateBody(String meterId, String region, PricingModel model, BigDecimal includedQuantity,
                           List<TierBody> tiers, String unit) {}

    public record TierBody(BigDecimal upTo, BigDecimal unitPrice) {}

    private final Scope scope;
    private final ReferencePublisher publisher;
    private final Clock clock;

    public PriceBookResource(Scope scope, ReferencePublisher publisher, Clock clock) {
        this.scope = scope;
        this.publisher = publisher;
        this.clock = clock;
    }

    @GET
    @Timed
    @Path("{id}")
    @Operation(operationId = "getPriceBook")
    public PriceBookView get(@Auth Caller caller, @PathParam("id") String id) {
        return Views.priceBook(scope.priceBook(caller, id));
    }

    @PUT
    @Timed
    @Path("{id}")
    @Operation(operationId = "putPriceBook")
    @ApiResponse(responseCode = "200", description = "the id existed", content = @Content(schema = @Schema(implementation = PriceBookView.class)))
    @ApiResponse(responseCode = "201", description = "the id was new", content = @Content(schema = @Schema(implementation = PriceBookView.class)))
    public Response put(@Auth Caller caller, @PathParam("id") String id, Body body) {
        Optional<PriceBook> existing = scope.priceBookForWrite(caller, id);
        if (!Ids.isValid(id)) {
            throw ApiErrors.badRequest("id", "must match " + Ids.PATTERN);
        }
        NodeResource.requireBody(body);
        Problems problems = new Problems();
        if (body.effectiveFrom() == null) {
            problems.add("effectiveFrom", "is required");
        }
        BoundedText.check("name", body.name(), NodeResource.MAX_NAME, problems);
        if (body.currency() == null) {
            problems.add("currency", "is required");
        } else if (!isIso4217(body.currency())) {
            problems.add("currency", InputLimits.echo(body.currency()) + " is not an ISO 4217 currency code with a minor unit");
        } else if (existing.isPresent() && !existing.get().currency().equals(body.currency())) {
            problems.add("currency", "price book '" + id + "' is in " + existing.get().currency() + "; a book has one currency");
        }
        List<Rate> rates = rates(body.rates(), problems);
        problems.throwIfAny();

        PriceBookVersion version = PriceBookVersion.newBuilder()
                .setPriceBookId(id)
                .setName(body.name())
                .setCurrency(body.currency())
                .setEffectiveFrom(body.effectiveFrom())
                .setRates(rates)
                .setRecordedAt(clock.instant())
                .setRecordedBy(caller.getName())
                .build();
        boolean repeat = existing.isPresent() && existing.get().versions().stream().anyMatch(v -> same(v, version));
        if (!repeat) {
            publisher.publish(version);
        }
        return Response.status(existing.isPresent() ? Response.Status.OK : Response.Status.CREATED)
                .entity(Views.priceBook(scope.priceBook(caller, id))).build();
    }

    private static List<Rate> rates(List<RateBody> bodies, Problems problems) {
        List<Rate> out = new ArrayList<>();
        if (bodies == null || bodies.isEmpty()) {
            problems.add("rates", "at least one rate is required");
            return out;
        }
        if (bodies.size() > MAX_RATES) {
            problems.add("rates", "at most " + MAX_RATES + " rates, was " + bodies.size());
            return out;
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < bodies.size(); i++) {
            String at = "rates[" + i + "]";
            RateBody r = bodies.get(i);
            if (r == null) {
                problems.add(at, "must not be null");
                continue;
            }
            if (r.meterId() == null || r.meterId().isBlank() || r.meterId().length() > MAX_METER) {
                problems.add(at + ".meterId", "is required (1 to " + MAX_METER + " characters)");
            } else if (!seen.add(r.meterId() + "\u0000" + r.region())) {
                problems.add(at, "a second rate for meter " + InputLimits.echo(r.meterId()) + " and region "
                        + (r.region() == null ? "null" : InputLimits.echo(r.region())));
            }
            if (r.region() != null && r.region().isBlank()) {
                problems.add(at + ".region", "must not be blank (omit it for every region)");
            }
            BoundedText.check(at + ".region", r.region(), MAX_REGION, problems);
            BoundedText.check(at + ".unit", r.unit(), MAX_UNIT, problems);
            if (r.model() == null) {
                problems.add(at + ".model", "is required (PER_UNIT, GRADUATED or VOLUME)");
            }
            BigDecimal included = r.includedQuantity() == null ? BigDecimal.ZERO : r.includedQuantity();
            QUANTITY.check(included, at + ".includedQuantity", problems);
            List<PriceTier> tiers = tiers(r, at, problems);
            if (problems.isEmpty()) {
                out.add(Rate.newBuilder()
                        .setMeterId(r.meterId())
                        .setRegion(r.region())
                        .setModel(r.model())
                        .setIncludedQuantity(QUANTITY.scaled(included))
                        .setTiers(tiers)
                        .setUnit(r.unit())
                        .build());
            }
        }
        return out;
    }

    private static List<PriceTier> tiers(RateBody r, String at, Problems problems) {
        List<PriceTier> out = new ArrayList<>();
        List<TierBody> tiers = r.tiers();
        if (tiers == null || tiers.isEmpty()) {
            problems.add(at + ".tiers", "at least one tier is required");
            return out;
        }
        if (tiers.size() > MAX_TIERS) {
            problems.add(at + ".tiers", "at most " + MAX_TIERS + " tiers, was " + tiers.size());
            return out;
        }
        if (r.model() == PricingModel.PER_UNIT && tiers.size() != 1) {
            problems.add(at + ".tiers", "PER_UNIT has exactly one tier");
        }
        TierBounds bounds = new TierBounds(at + ".tiers", tiers.size(), QUANTITY);
        for (int j = 0; j < tiers.size(); j++) {
            String t = at + ".tiers[" + j + "]";
            TierBody tier = tiers.get(j);
            if (tier == null) {
                problems.add(t, "must not be null");
                continue;
            }
            bounds.check(j, tier.upTo(), problems);
            if (tier.unitPrice() == null) {
                problems.add(t + ".unitPrice", "is required");
            } else {
                PRICE.check(tier.unitPrice(), t + ".unitPrice", problems);
            }
            if (problems.isEmpty()) {
                out.add(PriceTier.newBuilder()
                        .setUpTo(tier.upTo() == null ? null : QUANTITY.scaled(tier.upTo()))
                        .setUnitPrice(PRICE.scaled(tier.unitPrice()))
                        .build());
            }
        }
        return out;
    }

    static boolean isIso4217(String code) {
        return code.matches("[A-Z]{3}")
                && Currency.getAvailableCurrencies().stream()
                        // funds and metals without a minor unit (XAU, XXX) cannot be rounded on a statement
                        .anyMatch(c -> c.getCurrencyCode().equals(code) && c.getDefaultFractionDigits() >= 0);
    }

    /** Same version apart from when and by whom it was recorded: a repeated PUT. */
    private static boolean same(PriceBookVersion a, PriceBookVersion b) {
        PriceBookVersion normalized = PriceBookVersion.newBuilder(b).setRecordedAt(a.getRecordedAt())
                .setRecordedBy(a.getRecordedBy()).build();
        return a.toString().equals(normalized.toString());
    }
}
