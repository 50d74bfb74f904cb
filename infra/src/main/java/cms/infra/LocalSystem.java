package cms.infra;

import cms.infra.demo.DemoOnboarding;
import cms.infra.load.ChannelShape;
import cms.infra.load.UsageGenerator;
import cms.stack.LocalStackAddresses;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The whole system on one machine, for the README's run command: the local stack, the rating job
 * (local Flink with its web UI), the API; then the demo channels onboarded through the API and
 * usage streamed until Ctrl-C, which stops everything started here.
 */
public final class LocalSystem {
    private static final int FLINK_UI_PORT = 8081;
    private static final int API_PORT = 8080;
    private static final int API_ADMIN_PORT = 8091;

    private LocalSystem() {}

    public static void main(String[] args) throws Exception {
        double rate = args.length > 0 ? Double.parseDouble(args[0]) : 200;
        StackSettings settings = StackSettings.fromEnvironment();
        Path root = settings.root();
        Path apiJar = root.resolve("api/target/cms-api-1.0.0-SNAPSHOT-app.jar");
        Path pipelineJar = root.resolve("pipeline/target/cms-pipeline-1.0.0-SNAPSHOT.jar");
        Path flinkClasspath = root.resolve("pipeline/target/local-classpath.txt");
        for (Path p : List.of(apiJar, pipelineJar, flinkClasspath)) {
            if (!Files.exists(p)) {
                throw new IllegalStateException(p + " is missing: run infra/bin/run (it builds everything first)");
            }
        }
        LocalStack stack = new LocalStack(settings);
        List<ServerProcess> apps = new ArrayList<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println();
            LocalStack.log("stopping");
            apps.forEach(a -> a.stop(Duration.ofSeconds(15)));
            stack.close();
            LocalStack.log("stopped");
        }, "local-system-shutdown"));
        stack.start();
        Path logs = settings.dir().resolve("logs");
        Path pids = settings.dir().resolve("pids");
        String marker = ServerProcess.MARKER_PROPERTY + settings.dir() + "#";
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();

        ServerProcess pipeline = new ServerProcess("pipeline", List.of(javaBin, marker + "pipeline", "-Xmx1g",
                "-cp", pipelineJar + ":" + Files.readString(flinkClasspath).strip(),
                "cms.pipeline.RatingJob", "--local-web-ui", "--web-ui-port", Integer.toString(FLINK_UI_PORT)),
                root, logs, pids);
        ServerProcess api = new ServerProcess("api", List.of(javaBin, marker + "api", "-Xmx512m",
                "-jar", apiJar.toString(), "server", root.resolve("api/config.yml").toString()), root, logs, pids);
        apps.add(pipeline);
        apps.add(api);
        pipeline.start();
        api.start();
        waitFor(api, "http://127.0.0.1:" + API_ADMIN_PORT + "/healthcheck", "\"healthy\":true");
        waitFor(pipeline, "http://127.0.0.1:" + FLINK_UI_PORT + "/jobs/overview", "RUNNING");

        Map<String, String> tokens = new LinkedHashMap<>();
        DemoOnboarding onboarding = new DemoOnboarding("http://127.0.0.1:" + API_PORT, (role, org) ->
                tokens.computeIfAbsent(role + (org == null ? "" : ":" + org), k -> mint(javaBin, apiJar, root, role, org)),
                YearMonth.now(ZoneOffset.UTC).minusMonths(1).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant());
        int calls = onboarding.run();
        ChannelShape sp = DemoOnboarding.SERVICE_PROVIDER;
        String tenant = sp.tenantId(0, 0, 0);
        tokens.computeIfAbsent("tenant:" + tenant, k -> mint(javaBin, apiJar, root, "tenant", tenant));
        LocalStackAddresses a = settings.addresses();

        System.out.printf("%nThe system is running (%d onboarding calls made through the API).%n", calls);
        System.out.printf("  API             http://127.0.0.1:%d/v1   (health: http://127.0.0.1:%d/healthcheck)%n", API_PORT, API_ADMIN_PORT);
        System.out.printf("  Flink web UI    http://127.0.0.1:%d%n", FLINK_UI_PORT);
        System.out.printf("  registry        %s%n  Kafka           %s%n  Cassandra       %s (keyspace %s)%n  logs            %s%n",
                a.registryUrl(), a.kafkaBootstrap(), a.cassandraContactPoint(), a.keyspace(), logs);
        System.out.println("\nTokens (valid 12 hours):");
        tokens.forEach((who, token) -> System.out.printf("  %-28s %s%n", who, token));
        String partner = sp.partnerId(0, 0);
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

                Streaming usage at %12$,.0f events/s to both channels; Ctrl-C stops everything.
                """, tokens.get("platform-admin"), tokens.get("partner:" + partner), tokens.get("tenant:" + tenant), API_PORT,
                API_PORT, sp.distributorId(0), Instant.now().truncatedTo(java.time.temporal.ChronoUnit.DAYS),
                Instant.now().truncatedTo(java.time.temporal.ChronoUnit.DAYS).plus(Duration.ofDays(1)), partner, tenant,
                YearMonth.now(ZoneOffset.UTC), rate);

        Thread enterprise = new Thread(() -> stream(a, DemoOnboarding.ENTERPRISE, rate / 4, 2, null), "enterprise-usage");
        enterprise.setDaemon(true);
        enterprise.start();
        stream(a, sp, rate, 1, System.out);
    }

    private static void stream(LocalStackAddresses a, ChannelShape channel, double rate, long seed, java.io.PrintStream progress) {
        try {
            UsageGenerator.run(new UsageGenerator.Options(a.kafkaBootstrap(), a.registryUrl(), cms.topics.Topics.USAGE, channel,
                    rate, 0, Duration.ofDays(365), 0.01, 0.01, 0.005, Duration.ofHours(2), Instant.now(), 1, seed, "cms-pipeline"), progress);
        } catch (Exception e) {
            throw new IllegalStateException("usage stream for " + channel.prefix() + " failed", e);
        }
    }

    private static String mint(String java, Path apiJar, Path root, String role, String org) {
        List<String> cmd = new ArrayList<>(List.of(java, "-jar", apiJar.toString(), "token", root.resolve("api/config.yml").toString(),
                "--role", role));
        if (org != null) {
            cmd.addAll(List.of("--org", org));
        }
        try {
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0 || out.isEmpty()) {
                throw new IllegalStateException("could not mint a token for " + role + " " + org);
            }
            String[] lines = out.split("\n");
            return lines[lines.length - 1].strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void waitFor(ServerProcess process, String url, String expected) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        Instant deadline = Instant.now().plusSeconds(180);
        while (Instant.now().isBefore(deadline)) {
            process.requireAlive();
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.body().contains(expected)) {
                    LocalStack.log("%s is up", process.name());
                    return;
                }
            } catch (IOException notYet) {
                // starting
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException(process.name() + " did not come up within 180 s; last lines of " + process.log()
                + ":\n" + process.tail(40));
    }
}
