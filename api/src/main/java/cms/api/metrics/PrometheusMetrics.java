package cms.api.metrics;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricFilter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.health.HealthCheckRegistry;
import io.dropwizard.core.setup.Environment;
import io.prometheus.metrics.exporter.servlet.jakarta.PrometheusMetricsServlet;
import io.prometheus.metrics.instrumentation.dropwizard.DropwizardExports;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * Every Dropwizard metric of the API in the Prometheus text format on the admin port, {@code GET /prometheus}: the
 * request rates and latencies Dropwizard measures on its Jetty handler (io_dropwizard_jetty_MutableServletContextHandler_*:
 * requests as a summary with quantiles and a count, responses by status class as counters), the JVM's, and one gauge a
 * health check, {@code health_<name>_healthy} (1 healthy, 0 not), which runs the check when scraped.
 */
public final class PrometheusMetrics {
    /** The admin path (the admin port's /metrics is Dropwizard's own JSON). */
    public static final String PATH = "/prometheus";

    public static void register(Environment environment) {
        registerHealthGauges(environment.metrics(), environment.healthChecks());
        PrometheusRegistry prometheus = new PrometheusRegistry();
        MetricRegistry metrics = environment.metrics();
        // @Timed resource methods also get a "<name>.total" timer (filters included); Prometheus drops a _total suffix,
        // so both would be exported under one name and every scrape would fail: the method's own timer is kept
        MetricFilter noTotalTwin = (name, metric) -> !(name.endsWith(".total")
                && metrics.getNames().contains(name.substring(0, name.length() - ".total".length())));
        DropwizardExports.builder().dropwizardRegistry(metrics).metricFilter(noTotalTwin).register(prometheus);
        environment.admin().addServlet("prometheus", new PrometheusMetricsServlet(prometheus)).addMapping(PATH);
    }

    /** A gauge per health check registered so far (call after the checks are registered). */
    static void registerHealthGauges(MetricRegistry metrics, HealthCheckRegistry checks) {
        for (String name : checks.getNames()) {
            metrics.register(MetricRegistry.name("health", name, "healthy"),
                    (Gauge<Integer>) () -> checks.runHealthCheck(name).isHealthy() ? 1 : 0);
        }
    }

    private PrometheusMetrics() {}
}
