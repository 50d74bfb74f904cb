package cms.api.admin;

import cms.api.TestApi;
import cms.avro.PriceBookVersion;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.dropwizard.testing.junit5.ResourceExtension;
import jakarta.ws.rs.core.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static cms.api.TestApi.ADMIN;
import static cms.api.TestApi.D1;
import static cms.api.TestApi.P1;
import static cms.api.TestApi.T1;
import static cms.api.TestApi.json;
import static org.assertj.core.api.Assertions.assertThat;

@SuppressWarnings("unchecked")
@ExtendWith(DropwizardExtensionsSupport.class)
class PriceBookResourceTest {
    private static final TestApi API = new TestApi();
    static final ResourceExtension RESOURCES = API.resources;

    private static Map<String, Object> tier(Object upTo, Object unitPrice) {
        Map<String, Object> t = new HashMap<>();
        t.put("upTo", upTo);
        t.put("unitPrice", unitPrice);
        return t;
    }

    private static Map<String, Object> rate(String meter, String model, List<Map<String, Object>> tiers) {
        Map<String, Object> r = new HashMap<>();
        r.put("meterId", meter);
        r.put("model", model);
        r.put("tiers", tiers);
        return r;
    }

    private static Map<String, Object> book(String currency, List<Map<String, Object>> rates) {
        Map<String, Object> b = new HashMap<>();
        b.put("name", "Standard");
        b.put("currency", currency);
        b.put("effectiveFrom", "2026-02-01T00:00:00Z");
        b.put("rates", rates);
        return b;
    }

    private static Map<String, Object> valid() {
        return book("EUR", new ArrayList<>(List.of(
                rate("compute.vcpu.hours", "GRADUATED", List.of(tier("100", "0.05"), tier(null, "0.04"))),
                rate("storage.gb.months", "PER_UNIT", List.of(tier(null, "0.021"))))));
    }

    private static void assert422(Map<String, Object> body, String startsWith) {
        Response r = API.put("/v1/price-books/bad-book", ADMIN, body);
        assertThat(r.getStatus()).isEqualTo(422);
        assertThat((String) json(r).get("message")).startsWith(startsWith);
    }

    @Test
    void createsAVersionAndRepeatsIdempotently() {
        Response r = API.put("/v1/price-books/std", ADMIN, valid());
        assertThat(r.getStatus()).isEqualTo(201);
        Map<String, Object> view = json(r);
        assertThat(view).containsEntry("id", "std").containsEntry("currency", "EUR");
        Map<String, Object> current = (Map<String, Object>) view.get("current");
        List<Map<String, Object>> rates = (List<Map<String, Object>>) current.get("rates");
        assertThat(rates.get(0).get("tiers")).isEqualTo(List.of(
                Map.of("upTo", "100", "unitPrice", "0.05"), new HashMap<>(tier(null, "0.04"))));
        assertThat(rates.get(0)).containsEntry("includedQuantity", "0");

        PriceBookVersion published = (PriceBookVersion) API.publisher.published.get(API.publisher.published.size() - 1);
        assertThat(published.getRates().get(0).getTiers().get(0).getUnitPrice()).isEqualByComparingTo(new BigDecimal("0.05"));
        int count = API.publisher.published.size();
        assertThat(API.put("/v1/price-books/std", ADMIN, valid()).getStatus()).isEqualTo(200);
        assertThat(API.publisher.published).hasSize(count);
    }

    @Test
    void validationErrorsNameTheField() {
        assert422(book("EURO", valid().get("rates") instanceof List<?> l ? (List<Map<String, Object>>) l : null), "currency:");
        assert422(book("XAU", (List<Map<String, Object>>) valid().get("rates")), "currency:");
        Map<String, Object> noFrom = valid();
        noFrom.remove("effectiveFrom");
        assert422(noFrom, "effectiveFrom: is required");
        assert422(book("EUR", List.of()), "rates: at least one rate");
        assert422(book("EUR", List.of(rate("m", "GRADUATED", List.of(tier("100", "1"), tier("50", "1"), tier(null, "1"))))),
                "rates[0].tiers[1].upTo: tiers must ascend");
        assert422(book("EUR", List.of(rate("m", "VOLUME", List.of(tier("100", "1"), tier("200", "1"))))),
                "rates[0].tiers[1].upTo: the last tier has no upper bound");
        assert422(book("EUR", List.of(rate("m", "PER_UNIT", List.of(tier("1", "1"), tier(null, "1"))))),
                "rates[0].tiers: PER_UNIT has exactly one tier");
        assert422(book("EUR", List.of(rate("m", "PER_UNIT", List.of(tier(null, "-1"))))),
                "rates[0].tiers[0].unitPrice: must not be negative");
        assert422(book("EUR", List.of(rate("m", "PER_UNIT", List.of(tier(null, "0.0000000000000000001"))))),
                "rates[0].tiers[0].unitPrice: at most 18 decimal places");
        assert422(book("EUR", List.of(rate("m", null, List.of(tier(null, "1"))))), "rates[0].model: is required");
        assert422(book("EUR", List.of(rate(null, "PER_UNIT", List.of(tier(null, "1"))))), "rates[0].meterId: is required");
        assert422(book("EUR", List.of(rate("m", "PER_UNIT", List.of(tier(null, "1"))), rate("m", "PER_UNIT", List.of(tier(null, "2"))))),
                "rates[1]: a second rate");
        Response badModel = API.put("/v1/price-books/bad-book", ADMIN, book("EUR", List.of(rate("m", "CHEAP", List.of(tier(null, "1"))))));
        assertThat(badModel.getStatus()).isEqualTo(400);
        assertThat((String) json(badModel).get("message")).startsWith("rates[0].model:");
        assertThat(API.put("/v1/price-books/Bad", ADMIN, valid()).getStatus()).isEqualTo(400);
        // a book keeps its one currency
        assertThat(API.put("/v1/price-books/pb-usd", ADMIN, valid()).getStatus()).isEqualTo(422);
        assertThat(API.model.priceBook("bad-book")).isEmpty();
    }

    @Test
    void onlyThePlatformWritesAndTenantsSeeOnlyTheirBooks() {
        assertThat(API.put("/v1/price-books/x", D1, valid()).getStatus()).isEqualTo(403);
        assertThat(API.put("/v1/price-books/x", T1, valid()).getStatus()).isEqualTo(403);
        assertThat(API.get("/v1/price-books/pb-eur", P1).getStatus()).isEqualTo(200);
        assertThat(API.get("/v1/price-books/pb-eur", T1).getStatus()).isEqualTo(200);
        Response foreign = API.get("/v1/price-books/pb-usd", T1);
        assertThat(foreign.getStatus()).isEqualTo(404);
        assertThat(json(foreign).get("message")).isEqualTo("price book 'pb-usd' not found");
        assertThat(API.get("/v1/price-books/none", ADMIN).getStatus()).isEqualTo(404);
        assertThat(API.get("/v1/price-books/pb-eur", null).getStatus()).isEqualTo(401);
        assertThat(API.put("/v1/price-books/x", null, valid()).getStatus()).isEqualTo(401);
    }
}
