package cms.api;

import cms.api.admin.CommissionPlanResource;
import cms.api.audit.AuditLog;
import cms.api.audit.AuditRequestFilter;
import cms.api.audit.AuditResource;
import cms.api.admin.NodeResource;
import cms.api.admin.PriceBookResource;
import cms.api.auth.Caller;
import cms.api.auth.LocalIssuer;
import cms.api.auth.UserAuthenticator;
import cms.api.auth.MeResource;
import cms.api.auth.Role;
import cms.api.hierarchy.HierarchyModel;
import cms.api.hierarchy.Scope;
import cms.api.input.BoundedInput;
import cms.api.query.CommissionResource;
import cms.api.query.PeriodResource;
import cms.api.query.StatementResource;
import cms.api.query.UsageResource;
import cms.api.users.FirstAdmin;
import cms.api.users.UserResource;
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
    public static final LocalIssuer TOKENS = new LocalIssuer(SIGNING_KEY, "cms", Duration.ofSeconds(30), Duration.ofHours(24));

    // the admins and viewers of Seed's users; a token names only the user, the rest is what the API knows of it
    public static final Caller ADMIN = new Caller("admin", Role.PLATFORM_ADMIN, null, true);
    public static final Caller D1 = new Caller("d1-admin", Role.DISTRIBUTOR, "d1", true);
    public static final Caller P1 = new Caller("p1-admin", Role.PARTNER, "p1", true);
    public static final Caller T1 = new Caller("t1-admin", Role.TENANT, "t1", true);
    public static final Caller VIEWER = new Caller("viewer", Role.PLATFORM_ADMIN, null, false);
    public static final Caller D1_VIEWER = new Caller("d1-viewer", Role.DISTRIBUTOR, "d1", false);
    public static final Caller P1_VIEWER = new Caller("p1-viewer", Role.PARTNER, "p1", false);
    public static final Caller T1_VIEWER = new Caller("t1-viewer", Role.TENANT, "t1", false);
    /** A DISABLED admin of t1: every request 401. */
    public static final Caller T1_DISABLED = new Caller("t1-disabled", Role.TENANT, "t1", true);
    /** The configured first admin, present in every model. */
    public static final String FIRST_ADMIN = "first-admin";

    public final HierarchyModel model = new HierarchyModel();
    public final AuditLog audit = new AuditLog();
    public final RecordingPublisher publisher = new RecordingPublisher(model, audit);
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
        model.apply(FirstAdmin.version(FIRST_ADMIN));
        if (seeded) {
            Seed.standard(model);
        }
        scope = new Scope(model);
        Clock clock = Clock.systemUTC();
        providers = new ArrayList<>();
        providers.add(ApiApplication.authFeature(new UserAuthenticator(List.of(TOKENS), model)));
        providers.add(new AuditRequestFilter());
        providers.add(new AuthValueFactoryProvider.Binder<>(Caller.class));
        resourceList = List.of(
                new MeResource(),
                new NodeResource(scope, publisher, clock),
                new PriceBookResource(scope, publisher, clock),
                new CommissionPlanResource(scope, publisher, clock),
                new UsageResource(scope, store),
                new CommissionResource(scope, store),
                new StatementResource(scope, store),
                new PeriodResource(store),
                new UserResource(scope, publisher, clock),
                new AuditResource(scope, audit));
        ResourceExtension.Builder builder = ResourceExtension.builder()
                .setMapper(ApiApplication.configure(io.dropwizard.jackson.Jackson.newObjectMapper()));
        BoundedInput.providers().forEach(builder::addProvider);
        providers.forEach(builder::addProvider);
        resourceList.forEach(builder::addResource);
        resources = builder.build();
    }

    public static String bearer(Caller caller) {
        return "Bearer " + TOKENS.mint(caller.user(), Duration.ofMinutes(10));
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
