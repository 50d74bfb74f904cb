package cms.infra;

import cms.infra.demo.DemoOnboarding;
import cms.infra.load.ChannelShape;
import cms.infra.load.UsageGenerator;
import cms.stack.LocalStackAddresses;

import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The whole system on one machine, for the README's run command: the local stack, the rating job
 * (local Flink with its web UI), the API; then the demo channels onboarded through the API and
 * usage streamed until Ctrl-C, which stops everything started here.
 */
public final class LocalSystem {

    private LocalSystem() {}

    /** A sign-in link: the token in the fragment, which the browser never sends; the page reads it once. */
    static String dashboardLink(String apiUrl, String token, String view) {
        return apiUrl + "/#token=" + token + (view == null ? "" : "&view=" + view);
    }

    public static void main(String[] args) throws Exception {
        double rate = args.length > 0 ? Double.parseDouble(args[0]) : 200;
        StackSettings settings = StackSettings.fromEnvironment();
        RunningSystem.Options options = RunningSystem.Options.defaults();
        LocalStack stack = new LocalStack(settings);
        AtomicReference<RunningSystem> apps = new AtomicReference<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println();
            LocalStack.log("stopping");
            if (apps.get() != null) {
                apps.get().close();
            }
            stack.close();
            LocalStack.log("stopped");
        }, "local-system-shutdown"));
        stack.start();
        RunningSystem system = RunningSystem.start(options);
        apps.set(system);

        DemoOnboarding onboarding = new DemoOnboarding(system.apiUrl(), system::token,
                YearMonth.now(ZoneOffset.UTC).minusMonths(1).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant());
        int calls = onboarding.run();
        // The previous billing period's last day, sent first and fast: the live usage that follows
        // moves the event-time watermark past that period's end + the allowed lateness, so the
        // period turns FINAL and its statements are served a minute after start (a billing close).
        YearMonth previous = YearMonth.now(ZoneOffset.UTC).minusMonths(1);
        Instant previousEnd = previous.plusMonths(1).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant lastDay = previousEnd.minus(Duration.ofDays(1));
        UsageGenerator.Stats backfill = backfill(settings.addresses(), DemoOnboarding.SERVICE_PROVIDER, lastDay);
        LocalStack.log("%s", "backfill of " + lastDay.toString().substring(0, 10) + ", the last day of " + previous + ": " + backfill.describe());
        long backfilled = backfill.total();
        ChannelShape sp = DemoOnboarding.SERVICE_PROVIDER;
        String tenant = sp.tenantId(0, 0, 0);
        String partner = sp.partnerId(0, 0);
        Map<String, String> shown = new LinkedHashMap<>();
        shown.put("platform-admin", system.token("platform-admin", null));
        shown.put("distributor:" + sp.distributorId(0), system.token("distributor", sp.distributorId(0)));
        shown.put("partner:" + partner, system.token("partner", partner));
        shown.put("tenant:" + tenant, system.token("tenant", tenant));
        LocalStackAddresses a = settings.addresses();

        System.out.printf("%nThe system is running (%d onboarding calls made through the API).%n", calls);
        System.out.printf("  API             %s/v1   (health: %s/healthcheck)%n", system.apiUrl(), system.apiAdminUrl());
        System.out.printf("  Flink web UI    %s%n", system.flinkUiUrl());
        System.out.printf("  registry        %s%n  Kafka           %s%n  Cassandra       %s (keyspace %s)%n  logs            %s%n",
                a.registryUrl(), a.kafkaBootstrap(), a.cassandraContactPoint(), a.keyspace(), system.logs());
        System.out.println("\nTokens (valid 12 hours):");
        shown.forEach((who, token) -> System.out.printf("  %-28s %s%n", who, token));
        System.out.printf("%nDashboard %s/ : open a sign-in link (the token is kept for that browser tab only and"
                + " taken out of the address):%n", system.apiUrl());
        shown.forEach((who, token) -> System.out.printf("  %-28s %s%n", who,
                dashboardLink(system.apiUrl(), token, who.equals("platform-admin") ? "/distributor/" + sp.distributorId(0) : null)));
        int apiPort = options.apiPort();
        System.out.printf("""

                Try (paste):
                  export ADMIN=%s
                  export PARTNER=%s
                  export TENANT=%s
                  curl -s -H "Authorization: Bearer $ADMIN" localhost:%5$d/v1/me
                  curl -s -H "Authorization: Bearer $ADMIN" "localhost:%5$d/v1/usage/distributor/%6$s?from=%7$s&to=%8$s&granularity=HOUR&breakdown=child"
                  curl -s -H "Authorization: Bearer $PARTNER" "localhost:%5$d/v1/usage/partner/%9$s?from=%7$s&to=%8$s&granularity=DAY&breakdown=meter"
                  curl -s -H "Authorization: Bearer $TENANT" "localhost:%5$d/v1/usage/tenant/%10$s?from=%7$s&to=%8$s&granularity=HOUR"
                  curl -s -H "Authorization: Bearer $PARTNER" "localhost:%5$d/v1/commissions/partner/%9$s?period=%11$s"
                  curl -s -H "Authorization: Bearer $ADMIN" localhost:%5$d/v1/periods/%11$s

                Billing close: %13$,d events were sent for the last day of %14$s (event times %15$s to %16$s); it turns FINAL when the live
                usage's watermark passes its end + 1h (within a minute). Then:
                  curl -s -H "Authorization: Bearer $ADMIN" localhost:%5$d/v1/periods/%14$s
                  curl -s -H "Authorization: Bearer $TENANT" "localhost:%5$d/v1/statements/%10$s?period=%14$s"
                  curl -s -H "Authorization: Bearer $PARTNER" "localhost:%5$d/v1/commissions/partner/%9$s?period=%14$s"

                Streaming usage at %12$,.0f events/s to both channels; Ctrl-C stops everything.
                """, shown.get("platform-admin"), shown.get("partner:" + partner), shown.get("tenant:" + tenant), apiPort,
                apiPort, sp.distributorId(0), Instant.now().truncatedTo(java.time.temporal.ChronoUnit.DAYS),
                Instant.now().truncatedTo(java.time.temporal.ChronoUnit.DAYS).plus(Duration.ofDays(1)), partner, tenant,
                YearMonth.now(ZoneOffset.UTC), rate, backfilled, previous, backfill.earliestEventTime(), backfill.latestEventTime());

        Thread enterprise = new Thread(() -> stream(a, DemoOnboarding.ENTERPRISE, rate / 4, 2, null), "enterprise-usage");
        enterprise.setDaemon(true);
        enterprise.start();
        stream(a, sp, rate, 1, System.out);
    }

    /**
     * One day of usage from {@code from}, sent as fast as the machine goes (up to 5,000/s): a load of a fixed number of
     * events, whose event clock follows its schedule, so the events spread over exactly that day however long sending takes.
     */
    static UsageGenerator.Options backfillOptions(LocalStackAddresses a, ChannelShape channel, Instant from, String topic) {
        long events = 20_000;
        double rate = 5_000;
        double timeScale = Duration.ofDays(1).toSeconds() / (events / rate);
        return new UsageGenerator.Options(a.kafkaBootstrap(), a.registryUrl(), topic,
                channel, rate, events, null, 0.01, 0.0, 0.0, Duration.ofHours(2), from, timeScale, 3, "cms-pipeline");
    }

    private static UsageGenerator.Stats backfill(LocalStackAddresses a, ChannelShape channel, Instant from) {
        try {
            return UsageGenerator.run(backfillOptions(a, channel, from, cms.topics.Topics.USAGE), null);
        } catch (Exception e) {
            throw new IllegalStateException("backfill of " + channel.prefix() + " failed", e);
        }
    }

    private static void stream(LocalStackAddresses a, ChannelShape channel, double rate, long seed, java.io.PrintStream progress) {
        try {
            UsageGenerator.run(new UsageGenerator.Options(a.kafkaBootstrap(), a.registryUrl(), cms.topics.Topics.USAGE, channel,
                    rate, 0, Duration.ofDays(365), 0.01, 0.01, 0.005, Duration.ofHours(2), Instant.now(), 1, seed, "cms-pipeline"), progress);
        } catch (Exception e) {
            throw new IllegalStateException("usage stream for " + channel.prefix() + " failed", e);
        }
    }
}
