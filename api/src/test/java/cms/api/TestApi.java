package cms.api;

import cms.api.admin.CommissionPlanResource;
import cms.api.admin.NodeResource;
import cms.api.admin.PriceBookResource;
import cms.api.auth.Caller;
import cms.api.auth.JwtAuthenticator;
import cms.api.auth.JwtTokens;
import cms.api.auth.MeResource;
import cms.api.auth.Role;
import cms.api.hierarchy.HierarchyModel;
import cms.api.hierarchy.Scope;
import cms.api.input.BoundedInput;
import cms.api.query.CommissionResource;
import cms.api.query.PeriodResource;
import cms.api.query.StatementResource;
import cms.api.query.UsageResource;
import io.dropwizard.auth.AuthValueFactoryProvider;
import io.dropwizard.testing.junit5.ResourceExtension;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.client.Invocation;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Every resource of the API, wired as ApiApplication wires them, in a ResourceExtension over an
 * in-memory read model (seeded with {@link Seed#standard}) and roll-up store.
 */
public final class TestApi {
    public static final String SIGNING_KEY = "resource-test-signing-key-0123456789-abcdef";
    public static final JwtTokens TOKENS = new JwtTokens(SIGNING_KEY, "cms", Duration.ofSeconds(30), Duration.ofHours(24));

    public static final Caller ADMIN = Caller.platformAdmin();
    public static final Caller D1 = new Caller(Role.DISTRIBUTOR, "d1");
    public static final Caller P1 = new Caller(Role.PARTNER, "p1");
    public static final Caller T1 = new Caller(Role.TENANT, "t1");

    public final HierarchyModel model = new HierarchyModel();
    public final RecordingPublisher publisher = new RecordingPublisher(model);
    public final InMemoryRollupStore store = new InMemoryRollupStore();
    public final ResourceExtension resources;
    /**
     * What {@link #resources} holds besides cms.api.input.BoundedInput's providers, for serving the
     * same API from a real Jetty ({@link TestServer}).
     */
    public final List<Object> providers;
    public final List<Object> resourceList;
    public final Scope scope;

    public TestApi() {
        this(true);
    }

    /** @param seeded start from {@link Seed#standard}, else from an empty model */
    public TestApi(boolean seeded) {
        if (seeded) {
            Seed.standard(model);
        }
        scope = new Scope(model);
        Clock clock = Clock.systemUTC();
        providers = new ArrayList<>();
        providers.add(ApiApplication.authFeature(new JwtAuthenticator(TOKENS, model)));
        providers.add(new AuthValueFactoryProvider.Binder<>(Caller.class));
        resourceList = List.of(
                new MeResource(),
                new NodeResource(scope, publisher, clock),
                new PriceBookResource(scope, publisher, clock),
                new CommissionPlanResource(scope, publisher, clock),
                new UsageResource(scope, store),
                new CommissionResource(scope, store),
                new StatementResource(scope, store),
                new PeriodResource(store));
        ResourceExtension.Builder builder = ResourceExtension.builder()
                .setMapper(ApiApplication.configure(io.dropwizard.jackson.Jackson.newObjectMapper()));
        BoundedInput.providers().forEach(builder::addProvider);
        providers.forEach(builder::addProvider);
        resourceList.forEach(builder::addResource);
        resources = builder.build();
    }

    public static String bearer(Caller caller) {
        return "Bearer " + TOKENS.mint(caller, Duration.ofMinutes(10));
    }

    public Invocation.Builder request(String path, Caller caller) {
        // target(path) would escape a '?', so the query string is split off into query parameters
        int q = path.indexOf('?');
        jakarta.ws.rs.client.WebTarget target = resources.target(q < 0 ? path : path.substring(0, q));
        if (q >= 0) {
            for (String pair : path.substring(q + 1).split("&")) {
                int eq = pair.indexOf('=');
                target = target.queryParam(pair.substring(0, eq), pair.substring(eq + 1));
            }
        }
        Invocation.Builder b = target.request(MediaType.APPLICATION_JSON_TYPE);
        return caller == null ? b : b.header("Authorization", bearer(caller));
    }

    public Response get(String path, Caller caller) {
        return request(path, caller).get();
    }

    public Response put(String path, Caller caller, Object body) {
        return request(path, caller).put(Entity.json(body));
    }

    public Response putRaw(String path, Caller caller, String json) {
        return request(path, caller).put(Entity.entity(json, MediaType.APPLICATION_JSON_TYPE));
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> json(Response response) {
        return response.readEntity(Map.class);
    }
}
