package cms.api;

import io.dropwizard.core.Application;
import io.dropwizard.core.Configuration;
import io.dropwizard.core.server.DefaultServerFactory;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.jetty.HttpConnectorFactory;
import io.dropwizard.logging.common.DefaultLoggingFactory;
import io.dropwizard.request.logging.LogbackAccessRequestLogFactory;
import io.dropwizard.testing.DropwizardTestSupport;

import java.net.URI;
import java.util.List;

/**
 * The resources of a {@link TestApi} served by a real Dropwizard Jetty on a free loopback port,
 * hardened exactly as {@link ApiApplication} hardens the product ({@link ApiApplication#harden}):
 * for tests of what only a real server does (Jetty's own errors, raw paths, chunked bodies). No
 * Kafka, registry or Cassandra: the read model and the roll-up store are the TestApi's.
 */
public final class TestServer implements AutoCloseable {
    private final DropwizardTestSupport<Configuration> support;

    public TestServer(TestApi api) {
        Configuration config = new Configuration();
        DefaultServerFactory server = new DefaultServerFactory();
        server.setApplicationConnectors(List.of(connector()));
        server.setAdminConnectors(List.of(connector()));
        LogbackAccessRequestLogFactory requestLog = new LogbackAccessRequestLogFactory();
        requestLog.setAppenders(List.of());
        server.setRequestLogFactory(requestLog);
        config.setServerFactory(server);
        DefaultLoggingFactory logging = new DefaultLoggingFactory();
        logging.setAppenders(List.of());
        config.setLoggingFactory(logging);
        support = new DropwizardTestSupport<>(App.class, config) {
            @Override
            public Application<Configuration> newApplication() {
                return new App(api);
            }
        };
        try {
            support.before();
        } catch (Exception e) {
            throw new IllegalStateException("test server did not start", e);
        }
    }

    private static HttpConnectorFactory connector() {
        HttpConnectorFactory http = new HttpConnectorFactory();
        http.setBindHost("127.0.0.1");
        http.setPort(0);
        return http;
    }

    public int port() {
        return support.getLocalPort();
    }

    public int adminPort() {
        return support.getAdminPort();
    }

    public URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + port() + pathAndQuery);
    }

    @Override
    public void close() {
        support.after();
    }

    static final class App extends Application<Configuration> {
        private final TestApi api;

        App(TestApi api) {
            this.api = api;
        }

        @Override
        public void initialize(Bootstrap<Configuration> bootstrap) {
            ApiApplication.configure(bootstrap.getObjectMapper());
        }

        @Override
        public void run(Configuration configuration, Environment environment) {
            api.providers.forEach(environment.jersey()::register);
            api.resourceList.forEach(environment.jersey()::register);
            environment.jersey().register(new RequestCpu());
            ApiApplication.harden(environment);
        }
    }

    /** The CPU time Jersey spent on a request, on the thread that served it, for tests that bound it. */
    public static final String CPU_HEADER = "X-Test-Cpu-Micros";

    @jakarta.annotation.Priority(1) // first in, last out: the request's whole time in Jersey
    @jakarta.ws.rs.container.PreMatching
    static final class RequestCpu implements jakarta.ws.rs.container.ContainerRequestFilter,
            jakarta.ws.rs.container.ContainerResponseFilter {
        private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();
        private static final String START = RequestCpu.class.getName();

        @Override
        public void filter(jakarta.ws.rs.container.ContainerRequestContext request) {
            request.setProperty(START, THREADS.getCurrentThreadCpuTime());
        }

        @Override
        public void filter(jakarta.ws.rs.container.ContainerRequestContext request,
                           jakarta.ws.rs.container.ContainerResponseContext response) {
            if (request.getProperty(START) instanceof Long start) {
                response.getHeaders().putSingle(CPU_HEADER, (THREADS.getCurrentThreadCpuTime() - start) / 1000);
            }
        }
    }
}
