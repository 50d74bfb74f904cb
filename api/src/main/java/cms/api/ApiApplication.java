package cms.api;

import cms.api.admin.CommissionPlanResource;
import cms.api.audit.AuditLog;
import cms.api.audit.AuditRequestFilter;
import cms.api.audit.AuditResource;
import cms.api.admin.NodeResource;
import cms.api.admin.PriceBookResource;
import cms.api.auth.BearerHeaderAuthFilter;
import cms.api.auth.Caller;
import cms.api.auth.UserAuthenticator;
import cms.api.auth.MeResource;
import cms.api.auth.TokenCommand;
import cms.api.cassandra.CassandraHealthCheck;
import cms.api.cassandra.CassandraRollupStore;
import cms.api.cassandra.CassandraSession;
import cms.api.dashboard.DashboardResource;
import cms.api.errors.JsonErrorHandler;
import cms.api.hierarchy.HierarchyModel;
import cms.api.input.BoundedInput;
import cms.api.input.StrictJson;
import cms.api.hierarchy.Scope;
import cms.api.kafka.KafkaHealthCheck;
import cms.api.kafka.KafkaReferencePublisher;
import cms.api.kafka.ReferenceFeed;
import cms.api.metrics.PrometheusMetrics;
import cms.api.ratingjob.RatingJobHealthCheck;
import cms.api.openapi.OpenApiResource;
import cms.api.query.CommissionResource;
import cms.api.query.PeriodResource;
import cms.api.query.StatementResource;
import cms.api.query.UsageResource;
import cms.api.users.FirstAdmin;
import cms.api.users.UserResource;
import cms.registry.SchemaRegistryClient;
import cms.wire.AvroSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.assets.AssetsBundle;
import io.dropwizard.auth.AuthDynamicFeature;
import io.dropwizard.auth.AuthValueFactoryProvider;
import io.dropwizard.auth.JSONUnauthorizedHandler;
import io.dropwizard.configuration.EnvironmentVariableSubstitutor;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.core.Application;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.jersey.setup.JerseyEnvironment;

import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.component.LifeCycle;

import java.time.Clock;

/** The API: {@code server config.yml} runs it, {@code token config.yml --user ID} mints a token. */
public class ApiApplication extends Application<ApiConfiguration> {
    public static void main(String[] args) throws Exception {
        new ApiApplication().run(args);
    }

    @Override
    public String getName() {
        return "cms-api";
    }

    @Override
    public void initialize(Bootstrap<ApiConfiguration> bootstrap) {
        // ${VAR} and ${VAR:-default} in config.yml; non-strict, so defaults apply when unset
        bootstrap.setConfigurationSourceProvider(new SubstitutingSourceProvider(
                bootstrap.getConfigurationSourceProvider(), new EnvironmentVariableSubstitutor(false)));
        bootstrap.addCommand(new TokenCommand());
        configure(bootstrap.getObjectMapper());
        // the dashboard's hashed scripts and styles (api/frontend, built into the jar); its page is DashboardResource
        bootstrap.addBundle(new AssetsBundle("/dashboard/assets", "/assets", null, "dashboard-assets"));
    }

    /** Request bodies are read strictly and within the contract's bounds (cms.api.input.StrictJson). */
    public static ObjectMapper configure(ObjectMapper mapper) {
        return StrictJson.configure(mapper);
    }

    @Override
    public void run(ApiConfiguration config, Environment environment) {
        Clock clock = Clock.systemUTC();
        HierarchyModel model = new HierarchyModel(clock);
        model.apply(FirstAdmin.version(config.getAuth().getFirstAdmin()));
        Scope scope = new Scope(model);
        AuditLog audit = new AuditLog();

        SchemaRegistryClient registry = new SchemaRegistryClient(SchemaRegistryClient.Config.of(config.getRegistry().getUrl()));
        ApiConfiguration.Kafka kafka = config.getKafka();
        KafkaReferencePublisher publisher = new KafkaReferencePublisher(kafka.getBootstrapServers(),
                new AvroSerializer(registry, config.getRegistry().isAutoRegister()), model, audit,
                kafka.getPublishTimeout().toJavaDuration(), kafka.getMaxRecordBytes(), clock);
        ReferenceFeed feed = new ReferenceFeed(kafka.getBootstrapServers(), registry, model, audit,
                kafka.getStartupCatchUp().toJavaDuration());
        environment.lifecycle().manage(publisher);
        environment.lifecycle().manage(feed);

        ApiConfiguration.Cassandra cassandra = config.getCassandra();
        CassandraSession session = new CassandraSession(cassandra.getContactPoints(), cassandra.getLocalDatacenter(),
                cassandra.getKeyspace(), cassandra.getRequestTimeout().toJavaDuration(), cassandra.getConnectAttempts(),
                cassandra.getConsistency(), cassandra.getSpeculativeReadDelay().toJavaDuration());
        environment.lifecycle().manage(session);
        CassandraRollupStore store = new CassandraRollupStore(session, model);

        environment.healthChecks().register("cassandra", new CassandraHealthCheck(session));
        environment.healthChecks().register("kafka", new KafkaHealthCheck(kafka.getBootstrapServers(), feed));
        ApiConfiguration.RatingJob job = config.getRatingJob();
        environment.healthChecks().register("rating-job", new RatingJobHealthCheck(kafka.getBootstrapServers(),
                job.getConsumerGroup(), job.getUsageTopic(), job.getFlinkRestUrl(), job.getJobName(),
                job.getStallAfter().toJavaDuration(), clock));
        // after every health check: one gauge each
        PrometheusMetrics.register(environment);

        ApiConfiguration.Auth auth = config.getAuth();
        registerAuth(environment.jersey(), new UserAuthenticator(auth.issuers(), model));
        environment.jersey().register(new AuditRequestFilter());
        harden(environment);

        environment.jersey().register(new MeResource());
        environment.jersey().register(new NodeResource(scope, publisher, clock));
        environment.jersey().register(new PriceBookResource(scope, publisher, clock));
        environment.jersey().register(new CommissionPlanResource(scope, publisher, clock));
        environment.jersey().register(new UsageResource(scope, store));
        environment.jersey().register(new CommissionResource(scope, store));
        environment.jersey().register(new StatementResource(scope, store));
        environment.jersey().register(new PeriodResource(store));
        environment.jersey().register(new UserResource(scope, publisher, clock));
        environment.jersey().register(new AuditResource(scope, audit));
        environment.jersey().register(new DashboardResource());
        environment.jersey().register(OpenApiResource.fromClasspath());
    }

    /**
     * Every request held to the contract's input bounds (cms.api.input), and every error answered in
     * the JSON error shape, Jetty's own included ({@link JsonErrorHandler} on the server and both
     * servlet contexts).
     */
    public static void harden(Environment environment) {
        BoundedInput.providers().forEach(environment.jersey()::register);
        environment.jersey().register(new cms.api.cassandra.CassandraUnavailableMapper());
        environment.getApplicationContext().setErrorHandler(new JsonErrorHandler.ForServlets());
        environment.getAdminContext().setErrorHandler(new JsonErrorHandler.ForServlets());
        environment.lifecycle().addEventListener(new LifeCycle.Listener() {
            @Override
            public void lifeCycleStarting(LifeCycle event) {
                // before the connectors open, so no request meets Jetty's HTML handler
                if (event instanceof Server server) {
                    server.setErrorHandler(new JsonErrorHandler());
                }
            }
        });
    }

    /**
     * Bearer JWTs from the Authorization header on every resource method that takes an
     * {@code @Auth Caller} (all of them); 401 JSON otherwise.
     */
    public static void registerAuth(JerseyEnvironment jersey, UserAuthenticator authenticator) {
        jersey.register(authFeature(authenticator));
        jersey.register(new AuthValueFactoryProvider.Binder<>(Caller.class));
    }

    /** The bearer filter as every resource gets it (the resource tests register the same). */
    public static AuthDynamicFeature authFeature(UserAuthenticator authenticator) {
        return new AuthDynamicFeature(new BearerHeaderAuthFilter.Builder<Caller>()
                .setAuthenticator(authenticator)
                .setPrefix("Bearer")
                .setRealm("cms")
                .setUnauthorizedHandler(new JSONUnauthorizedHandler())
                .buildAuthFilter());
    }
}
