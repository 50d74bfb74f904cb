package cms.infra.bench;

import cms.infra.load.ChannelShape;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * API latency of dashboard queries: {@code clients} threads, each a closed loop (send, read the
 * whole answer, pause {@code think}) over a mix of the queries a dashboard makes: a distributor
 * with its partners (breakdown=child), a partner, a tenant, each as today's HOUR windows and this
 * month's DAY windows, for random nodes of the channel. Latency is measured at the client, from
 * sending the request to the end of the body.
 */
final class DashboardLoad {
    private final String apiUrl;
    private final String token;
    private final ChannelShape channel;
    private final int clients;
    private final Duration think;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Map<String, Latencies> byQuery = new LinkedHashMap<>();
    private final Workers workers = new Workers();
    private final String dayFrom;
    private final String dayTo;
    private final String monthFrom;
    private final String monthTo;

    static final List<String> QUERIES = List.of("distributor HOUR breakdown=child", "distributor DAY breakdown=child",
            "partner HOUR", "partner DAY", "tenant HOUR", "tenant DAY");

    DashboardLoad(String apiUrl, String token, ChannelShape channel, int clients, Duration think) {
        this.apiUrl = apiUrl;
        this.token = token;
        this.channel = channel;
        this.clients = clients;
        this.think = think;
        for (String q : QUERIES) {
            byQuery.put(q, new Latencies());
        }
        Instant today = Instant.now().truncatedTo(ChronoUnit.DAYS);
        this.dayFrom = today.toString();
        this.dayTo = today.plus(1, ChronoUnit.DAYS).toString();
        YearMonth month = YearMonth.now(ZoneOffset.UTC);
        this.monthFrom = month.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant().toString();
        this.monthTo = month.plusMonths(1).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant().toString();
    }

    void start() {
        for (int i = 0; i < clients; i++) {
            workers.start("bench-dashboard-" + i, this::loop);
        }
    }

    void stop() throws Exception {
        workers.stop(30_000);
    }

    Map<String, Latencies> byQuery() {
        return byQuery;
    }

    Latencies all() {
        Latencies all = new Latencies();
        byQuery.values().forEach(all::addAll);
        return all;
    }

    private void loop() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        try {
            while (!workers.stopping()) {
                String query = QUERIES.get(random.nextInt(QUERIES.size()));
                int d = random.nextInt(channel.distributors());
                int p = random.nextInt(channel.partnersPerDistributor());
                int t = random.nextInt(channel.tenantsPerPartner());
                String path = switch (query.split(" ")[0]) {
                    case "distributor" -> "distributor/" + channel.distributorId(d);
                    case "partner" -> "partner/" + channel.partnerId(d, p);
                    default -> "tenant/" + channel.tenantId(d, p, t);
                };
                boolean hour = query.contains("HOUR");
                String uri = apiUrl + "/v1/usage/" + path + "?from=" + (hour ? dayFrom : monthFrom) + "&to=" + (hour ? dayTo : monthTo)
                        + "&granularity=" + (hour ? "HOUR" : "DAY") + (query.contains("breakdown=child") ? "&breakdown=child" : "");
                HttpRequest request = HttpRequest.newBuilder(URI.create(uri)).header("Authorization", "Bearer " + token)
                        .timeout(Duration.ofSeconds(10)).build();
                long began = System.nanoTime();
                try {
                    HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
                    double millis = (System.nanoTime() - began) / 1e6;
                    if (r.statusCode() == 200) {
                        byQuery.get(query).add(millis);
                    } else {
                        byQuery.get(query).fail();
                    }
                } catch (java.io.IOException e) {
                    byQuery.get(query).fail();
                }
                if (!think.isZero()) {
                    Thread.sleep(think.toMillis());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            workers.fail(e);
        }
    }
}
