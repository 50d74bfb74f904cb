package cms.infra.demo;

import cms.infra.load.ChannelShape;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Onboards the demo channels through the API itself, each layer by the layer above it where the
 * contract allows (delegated administration): a platform administrator writes the price books,
 * the commission frameworks and the distributors; a distributor onboards its partners; a partner
 * onboards its tenants and their subscriptions, and defines a plan of its own. Every node comes
 * with its users, written by whoever wrote the node: an admin {@code <id>-admin} and a viewer
 * {@code <id>-viewer}; the platform has the configured first admin ({@link #PLATFORM_ADMIN}) and a
 * viewer {@link #PLATFORM_VIEWER}. Each layer then works with its own admin's token.
 */
public final class DemoOnboarding {
    /** The service-provider channel: 2 distributors x 3 partners x 4 tenants x 5 subscriptions. */
    public static final ChannelShape SERVICE_PROVIDER = new ChannelShape("sp", 2, 3, 4, 5);
    /** The enterprise internal reseller: central IT, 3 divisions, 4 departments each, 3 projects each. */
    public static final ChannelShape ENTERPRISE = new ChannelShape("corp", 1, 3, 4, 3);

    /** The API's configured first admin (api/config.yml auth.firstAdmin). */
    public static final String PLATFORM_ADMIN = "admin";
    public static final String PLATFORM_VIEWER = "platform-viewer";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String api;
    /** Mints a token for a user. */
    private final Function<String, String> tokens;
    private final Instant from;
    private int calls;

    public DemoOnboarding(String apiBaseUrl, Function<String, String> tokens, Instant effectiveFrom) {
        this.api = apiBaseUrl;
        this.tokens = tokens;
        this.from = effectiveFrom;
    }

    public static String adminOf(String nodeId) {
        return nodeId + "-admin";
    }

    public static String viewerOf(String nodeId) {
        return nodeId + "-viewer";
    }

    /** The users whose tokens the onboarding writes with (mint them at once: the token command starts a JVM). */
    public static List<String> writers() {
        List<String> out = new ArrayList<>(List.of(PLATFORM_ADMIN, adminOf(SERVICE_PROVIDER.partnerId(0, 1))));
        for (ChannelShape c : List.of(SERVICE_PROVIDER, ENTERPRISE)) {
            for (int d = 0; d < c.distributors(); d++) {
                out.add(adminOf(c.distributorId(d)));
                out.add(adminOf(c.partnerId(d, 0)));
            }
        }
        return out;
    }

    /** Writes everything; returns the number of API calls made. */
    public int run() throws IOException, InterruptedException {
        String admin = tokens.apply(PLATFORM_ADMIN);
        put(admin, "/v1/users/" + PLATFORM_VIEWER, map("level", "platform", "role", "viewer", "name", "Platform viewer"));
        put(admin, "/v1/price-books/std-usd", priceBook("Standard USD", "USD", true));
        put(admin, "/v1/price-books/internal-eur", priceBook("Internal charge-back EUR", "EUR", false));
        put(admin, "/v1/commission-plans/default", map("name", "Platform default", "owner", "PLATFORM",
                "effectiveFrom", from, "partnerShare", flat("0.10"), "distributorShare", flat("0.05")));
        put(admin, "/v1/commission-plans/gold", map("name", "Gold framework", "owner", "PLATFORM", "effectiveFrom", from,
                "partnerShare", graduated("1000", "0.10", "0.15"), "distributorShare", flat("0.06")));

        onboard(admin, SERVICE_PROVIDER, "std-usd", "Service provider");
        onboard(admin, ENTERPRISE, "internal-eur", "Central IT");

        // Commission: distributor sp-d0 on the gold framework; partner sp-d0-p1 defines its own;
        // every other partner inherits (its distributor's plan, else the default).
        put(admin, "/v1/distributors/" + SERVICE_PROVIDER.distributorId(0) + "/commission-plan",
                map("planId", "gold", "effectiveFrom", from));
        String ownPartner = SERVICE_PROVIDER.partnerId(0, 1);
        String partnerToken = tokens.apply(adminOf(ownPartner));
        put(partnerToken, "/v1/commission-plans/" + ownPartner + "-own", map("name", "Own plan", "owner", "PARTNER",
                "ownerId", ownPartner, "effectiveFrom", from, "partnerShare", flat("0.12")));
        put(partnerToken, "/v1/partners/" + ownPartner + "/commission-plan", map("planId", ownPartner + "-own", "effectiveFrom", from));
        return calls;
    }

    private void onboard(String admin, ChannelShape c, String priceBook, String label) throws IOException, InterruptedException {
        for (int d = 0; d < c.distributors(); d++) {
            String distributor = c.distributorId(d);
            put(admin, "/v1/distributors/" + distributor, map("name", label + " distributor " + d, "effectiveFrom", from));
            users(admin, "distributor", distributor);
            String distributorToken = tokens.apply(adminOf(distributor));
            for (int p = 0; p < c.partnersPerDistributor(); p++) {
                String partner = c.partnerId(d, p);
                put(distributorToken, "/v1/partners/" + partner,
                        map("name", "Partner " + d + "." + p, "distributorId", distributor, "effectiveFrom", from));
                users(distributorToken, "partner", partner);
                // the first partner of each distributor onboards its own tenants; the rest the distributor does
                String tenantWriter = p == 0 ? tokens.apply(adminOf(partner)) : distributorToken;
                for (int t = 0; t < c.tenantsPerPartner(); t++) {
                    String tenant = c.tenantId(d, p, t);
                    put(tenantWriter, "/v1/tenants/" + tenant,
                            map("name", "Tenant " + d + "." + p + "." + t, "partnerId", partner, "effectiveFrom", from));
                    users(tenantWriter, "tenant", tenant);
                    for (int s = 0; s < c.subscriptionsPerTenant(); s++) {
                        put(tenantWriter, "/v1/subscriptions/" + c.subscriptionId(d, p, t, s), map("name", "Subscription " + s,
                                "tenantId", tenant, "priceBookId", priceBook, "effectiveFrom", from));
                    }
                }
            }
        }
    }

    /** The node's admin and viewer, written by the node's writer (who administers the node's users too). */
    private void users(String writer, String level, String nodeId) throws IOException, InterruptedException {
        put(writer, "/v1/users/" + adminOf(nodeId), map("level", level, "orgId", nodeId, "role", "admin",
                "name", "Admin of " + nodeId, "email", adminOf(nodeId) + "@example.com"));
        put(writer, "/v1/users/" + viewerOf(nodeId), map("level", level, "orgId", nodeId, "role", "viewer",
                "name", "Viewer of " + nodeId, "email", viewerOf(nodeId) + "@example.com"));
    }

    /** A book pricing every meter the generator sends, with each model, included quantities and a region override. */
    private Map<String, Object> priceBook(String name, String currency, boolean withRegion) {
        List<Object> rates = new ArrayList<>(List.of(
                rate("compute.vcpu.hours", null, "PER_UNIT", "0", tier(null, "0.045")),
                rate("storage.gb.hours", null, "GRADUATED", "100", tier("10000", "0.0001"), tier(null, "0.00008")),
                rate("network.egress.gb", null, "VOLUME", "0", tier("1000", "0.09"), tier("10000", "0.07"), tier(null, "0.05")),
                rate("licence.seat.days", null, "PER_UNIT", "5", tier(null, "1.20"))));
        if (withRegion) {
            rates.add(rate("compute.vcpu.hours", "eu-west", "PER_UNIT", "0", tier(null, "0.052")));
        }
        return map("name", name, "currency", currency, "effectiveFrom", from, "rates", rates);
    }

    private static Map<String, Object> rate(String meter, String region, String model, String included, Object... tiers) {
        return map("meterId", meter, "region", region, "model", model, "includedQuantity", included, "tiers", Arrays.asList(tiers));
    }

    private static Map<String, Object> tier(String upTo, String unitPrice) {
        return map("upTo", upTo, "unitPrice", unitPrice);
    }

    private static Map<String, Object> flat(String rate) {
        return map("model", "FLAT", "tiers", List.of(map("upTo", null, "rate", rate)));
    }

    private static Map<String, Object> graduated(String upTo, String first, String rest) {
        return map("model", "GRADUATED", "tiers", List.of(map("upTo", upTo, "rate", first), map("upTo", null, "rate", rest)));
    }

    private static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            Object v = kv[i + 1];
            m.put((String) kv[i], v instanceof Instant ? v.toString() : v);
        }
        return m;
    }

    private void put(String token, String path, Map<String, Object> body) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(api + path))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                .build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        calls++;
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException("PUT " + path + " answered " + response.statusCode() + ": " + response.body());
        }
    }
}
