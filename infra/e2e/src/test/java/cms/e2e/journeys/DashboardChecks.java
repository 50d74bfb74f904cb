package cms.e2e.journeys;

import com.fasterxml.jackson.databind.JsonNode;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard the API serves at /, in a real headless Chromium, on the journeys' running system
 * with usage streaming: each caller sees exactly its own part of the channel, its numbers are the
 * API's to the cent, new usage shows within the refresh interval, a FINAL statement downloads as a
 * CSV whose lines add up to its total, and a bad form entry shows the API's own message at the field.
 * Screenshots of every view at desktop and phone width go to target/screenshots.
 */
final class DashboardChecks {
    /** The page's refresh interval (api/frontend/src/main.js REFRESH_MS), plus a fetch and a render. */
    static final Duration REFRESH = Duration.ofSeconds(5);
    static final Duration RENDER_SLACK = Duration.ofSeconds(2);

    /** What the journeys built that the dashboard is checked against. */
    record Channel(String distributor, List<String> partners, String tenant, String tenantsPartner, List<String> tenantSubscriptions,
                   String currency) {}

    private final JourneySystem run;
    private final Api api;
    private final Map<String, String> tokens;
    private final Consumer<String> figures;
    private final String base;

    DashboardChecks(JourneySystem run, Map<String, String> tokens, Consumer<String> figures) {
        this.run = run;
        this.api = run.api;
        this.tokens = tokens;
        this.figures = figures;
        this.base = run.system.apiUrl().replaceAll("/v1/?$", "");
    }

    void check(Channel sp, Channel corp, YearMonth closedPeriod) throws Exception {
        Instant t0 = Instant.now();
        try (Browser b = new Browser()) {
            // the sign-in page, and a pasted token
            b.driver.get(base + "/");
            b.waitFor("sign-in form", Duration.ofSeconds(20), d -> b.text(By.id("signin-submit")) != null);
            b.screenshots("sign-in");

            tenantSeesOnlyItsSubscriptionsAndNewUsageWithinTheRefresh(b, sp);
            statementDownloadsAsCsvWhoseLinesAddUpToItsTotal(b, sp, closedPeriod);
            distributorSeesItsPartnersOnlyAndTheApisNumbers(b, sp, corp, closedPeriod);
            aBadEntryShowsTheApisMessageAtTheField(b, sp);
        }
        figures.accept(String.format("dashboard in headless Chromium (8 views x 2 widths, 2 CSV downloads): %.1f s",
                Duration.between(t0, Instant.now()).toMillis() / 1000.0));
    }

    private void signInWithLink(Browser b, String token, String view) {
        b.driver.get(base + "/");
        b.js("sessionStorage.clear()");
        b.driver.get(base + "/?signed-out"); // a page with no session and nothing in flight
        b.waitFor("sign-in form", Duration.ofSeconds(20), d -> b.text(By.id("signin-submit")) != null);
        b.driver.get(base + "/?signed-out#token=" + token + (view == null ? "" : "&view=" + view));
        b.waitFor("signed in", Duration.ofSeconds(20), d -> b.text(By.id("node-title")) != null);
        assertThat(b.driver.getCurrentUrl()).as("the token is taken out of the address").doesNotContain("token");
        assertThat(b.js("return sessionStorage.getItem('cms.token')")).isEqualTo(token);
    }

    private Set<String> rows(Browser b, String table) {
        b.waitFor(table, Duration.ofSeconds(20), d -> !d.findElements(By.cssSelector("#" + table + " tbody tr")).isEmpty());
        Set<String> out = new HashSet<>();
        for (WebElement tr : b.driver.findElements(By.cssSelector("#" + table + " tbody tr"))) {
            out.add(tr.getAttribute("data-child"));
        }
        return out;
    }

    private Set<String> apiChildren(String token, String kind, String id) {
        Set<String> out = new HashSet<>();
        api.get(token, "/v1/" + kind + "/" + id + "/children").requireStatus(200).json().get("children")
                .forEach(n -> out.add(n.get("id").asText()));
        return out;
    }

    private String monthAmount(String token, String level, String id, String currency) {
        YearMonth m = YearMonth.now(ZoneOffset.UTC);
        JsonNode windows = api.get(token, "/v1/usage/" + level + "/" + id + Api.query("granularity", "MONTH",
                "from", m.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant(),
                "to", m.plusMonths(1).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant())).requireStatus(200).json().get("windows");
        for (JsonNode w : windows) {
            for (JsonNode a : w.get("amounts")) {
                if (a.get("currency").asText().equals(currency)) {
                    return a.get("amount").asText();
                }
            }
        }
        return null;
    }

    private String pageMonthAmount(Browser b, String currency) {
        return b.text(By.cssSelector("#month-amounts tr[data-currency='" + currency + "'] [data-testid='month-amount']"));
    }

    private void tenantSeesOnlyItsSubscriptionsAndNewUsageWithinTheRefresh(Browser b, Channel c) throws Exception {
        String token = tokens.get(c.tenant());
        signInWithLink(b, token, null);
        assertThat(b.driver.findElement(By.id("node-title")).getAttribute("data-id")).isEqualTo(c.tenant());
        assertThat(rows(b, "children-table")).as("the tenant's subscriptions, and only those")
                .isEqualTo(new HashSet<>(c.tenantSubscriptions())).isEqualTo(apiChildren(token, "tenants", c.tenant()));

        // usage streams in now: the page shows the API's new number within its refresh interval
        String before = monthAmount(token, "tenant", c.tenant(), c.currency());
        String sub = c.tenantSubscriptions().get(0);
        List<Usage> events = new ArrayList<>();
        Instant now = Instant.now();
        for (int i = 0; i < 5; i++) {
            events.add(Usage.of("dash-" + run.runId + "-" + now.toEpochMilli() + "-" + i, sub, "compute.vcpu.hours", "1.25",
                    now.minusSeconds(5 - i), null));
        }
        new PythonProducer(run.stack.kafkaBootstrap(), run.stack.registryUrl(), run.usageTopic).produce(events);
        String[] after = new String[1];
        Instant apiHas = eventually("the API shows the new usage", Duration.ofSeconds(60), () -> {
            String a = monthAmount(token, "tenant", c.tenant(), c.currency());
            if (a == null || a.equals(before)) {
                return null;
            }
            after[0] = a;
            return Instant.now();
        });
        Instant pageHas = b.waitFor("the page shows " + after[0], REFRESH.plus(RENDER_SLACK).plusSeconds(10),
                d -> after[0].equals(pageMonthAmount(b, c.currency())) ? Instant.now() : null);
        Duration lag = Duration.between(apiHas, pageHas);
        figures.accept(String.format("dashboard: new usage on the page %.1f s after the API had it (refresh every %d s)",
                lag.toMillis() / 1000.0, REFRESH.toSeconds()));
        assertThat(lag).as("new usage on the page within the refresh interval").isLessThanOrEqualTo(REFRESH.plus(RENDER_SLACK));
        // to the cent, and beyond: the page shows the API's decimal string itself
        assertThat(new BigDecimal(pageMonthAmount(b, c.currency()))).isEqualByComparingTo(new BigDecimal(after[0]));
        assertThat(b.text(By.id("updated-ago"))).matches("updated \\d+ s ago.*");
        // when the month's values were last written, as the API says (updatedAt): after this usage was produced
        String[] written = b.waitFor("the month's write time", Duration.ofSeconds(20), d -> {
            try {   // the page re-renders at every refresh: read both from one element
                org.openqa.selenium.WebElement t = d.findElement(By.cssSelector("#month-window time.written"));
                return new String[] {t.getAttribute("datetime"), t.getText()};
            } catch (org.openqa.selenium.StaleElementReferenceException e) {
                return null;
            }
        });
        assertThat(Instant.parse(written[0])).as("the month window's updatedAt on the page").isBetween(now, Instant.now());
        assertThat(written[1]).matches("written (just now|\\d+ s ago)");
        assertThat(b.driver.findElements(By.cssSelector("#month [data-status='OPEN']"))).isNotEmpty();
        b.screenshots("tenant");

        clickChild(b, sub);
        b.waitFor("subscription view", Duration.ofSeconds(20), d -> sub.equals(d.findElement(By.id("node-title")).getAttribute("data-id")));
        b.waitFor("subscription meters", Duration.ofSeconds(20), d -> b.text(By.id("meters-table")) != null);
        assertThat(b.driver.findElements(By.id("children-table"))).isEmpty();
        b.screenshots("subscription");
    }

    /** Follows a child's link in the children table; the page re-renders it at every refresh, so a stale link is found again. */
    private static void clickChild(Browser b, String child) {
        b.waitFor("a click on " + child, Duration.ofSeconds(20), d -> {
            try {
                d.findElement(By.cssSelector("#children-table tr[data-child='" + child + "'] a")).click();
                return true;
            } catch (org.openqa.selenium.StaleElementReferenceException e) {
                return null;
            }
        });
    }

    private void statementDownloadsAsCsvWhoseLinesAddUpToItsTotal(Browser b, Channel c, YearMonth period) throws Exception {
        String token = tokens.get(c.tenant());
        b.driver.get(base + "/#/tenant/" + c.tenant());
        b.waitFor("tenant view", Duration.ofSeconds(20), d -> b.text(By.id("node-title")) != null);
        new Select(b.driver.findElement(By.id("period-select"))).selectByValue(period.toString());
        b.waitFor("FINAL statement", Duration.ofSeconds(20), d -> !d.findElements(By.id("download-statement")).isEmpty());
        assertThat(b.driver.findElements(By.cssSelector("#period-status [data-status='FINAL']"))).isNotEmpty();
        b.screenshots("tenant-statement");
        String name = "statement-" + c.tenant() + "-" + period + ".csv";
        Files.deleteIfExists(b.downloads.resolve(name));
        b.clickWhenStill(By.id("download-statement"), Duration.ofSeconds(10));
        List<String[]> csv = csv(b.download(name, Duration.ofSeconds(20)));
        assertThat(csv.get(0)).containsExactly("subscriptionId", "meterId", "currency", "eventCount", "quantity", "amount", "unroundedAmount");
        Map<String, BigDecimal> sums = new TreeMap<>();
        Map<String, BigDecimal> totals = new TreeMap<>();
        for (String[] line : csv.subList(1, csv.size())) {
            if (line[0].equals("TOTAL")) {
                totals.put(line[2], new BigDecimal(line[5]));
            } else {
                sums.merge(line[2], new BigDecimal(line[5]), BigDecimal::add);
            }
        }
        assertThat(sums).as("the CSV's lines add up to its totals").isEqualTo(totals).isNotEmpty();
        JsonNode statement = api.get(token, "/v1/statements/" + c.tenant() + "?period=" + period).requireStatus(200).json();
        Map<String, BigDecimal> served = new TreeMap<>();
        statement.get("totals").forEach(t -> served.put(t.get("currency").asText(), new BigDecimal(t.get("amount").asText())));
        assertThat(totals).as("the CSV's totals are the API's").isEqualTo(served);
        assertThat(csv).hasSize(1 + statement.get("lines").size() + statement.get("totals").size());
    }

    private void distributorSeesItsPartnersOnlyAndTheApisNumbers(Browser b, Channel own, Channel other, YearMonth period) throws Exception {
        String token = tokens.get(own.distributor());
        signInWithLink(b, token, null);
        assertThat(b.driver.findElement(By.id("node-title")).getAttribute("data-id")).isEqualTo(own.distributor());
        Set<String> shown = rows(b, "children-table");
        assertThat(shown).as("the distributor's partners").containsAll(own.partners())
                .isEqualTo(apiChildren(token, "distributors", own.distributor()))
                .doesNotContainAnyElementsOf(other.partners());
        // the page's number is the API's, to the cent (and to the last decimal the API serves)
        String served = eventually("the distributor's month", Duration.ofSeconds(30), () -> {
            String a = monthAmount(token, "distributor", own.distributor(), own.currency());
            return a != null && a.equals(pageMonthAmount(b, own.currency())) ? a : null;
        });
        assertThat(new BigDecimal(served).setScale(2, java.math.RoundingMode.HALF_EVEN))
                .isEqualTo(new BigDecimal(pageMonthAmount(b, own.currency())).setScale(2, java.math.RoundingMode.HALF_EVEN));
        b.screenshots("distributor");

        // the commission statement of the closed period
        new Select(b.driver.findElement(By.id("period-select"))).selectByValue(period.toString());
        b.waitFor("FINAL commission statement", Duration.ofSeconds(20), d -> !d.findElements(By.id("download-commission")).isEmpty());
        String name = "commission-distributor-" + own.distributor() + "-" + period + ".csv";
        Files.deleteIfExists(b.downloads.resolve(name));
        b.clickWhenStill(By.id("download-commission"), Duration.ofSeconds(10));
        List<String[]> csv = csv(b.download(name, Duration.ofSeconds(20)));
        assertThat(csv.get(0)).containsExactly("childId", "currency", "amount", "commission");
        Map<String, BigDecimal[]> sums = new HashMap<>();
        Map<String, BigDecimal[]> totals = new HashMap<>();
        for (String[] line : csv.subList(1, csv.size())) {
            Map<String, BigDecimal[]> into = line[0].equals("TOTAL") ? totals : sums;
            BigDecimal[] s = into.computeIfAbsent(line[1], k -> new BigDecimal[] {BigDecimal.ZERO, BigDecimal.ZERO});
            s[0] = s[0].add(new BigDecimal(line[2]));
            s[1] = s[1].add(new BigDecimal(line[3]));
        }
        assertThat(totals).isNotEmpty();
        totals.forEach((currency, t) -> {
            assertThat(sums.get(currency)[0]).as("partners' amounts add up").isEqualByComparingTo(t[0]);
            assertThat(sums.get(currency)[1]).as("partners' commissions add up").isEqualByComparingTo(t[1]);
        });
        b.screenshots("distributor-commission");

        // another distributor is not there, exactly as a missing one
        b.driver.findElement(By.id("search-id")).clear();
        b.driver.findElement(By.id("search-id")).sendKeys(other.distributor());
        new Select(b.driver.findElement(By.id("search-kind"))).selectByValue("distributor");
        b.driver.findElement(By.id("search-go")).click();
        b.waitFor("not found", Duration.ofSeconds(20), d -> b.text(By.id("missing")) != null);
        assertThat(b.text(By.id("missing"))).contains("No distributor \"" + other.distributor() + "\" in your part of the channel");

        // the partner level, drilled into from the table
        b.driver.get(base + "/#/distributor/" + own.distributor());
        rows(b, "children-table");
        clickChild(b, own.tenantsPartner());
        b.waitFor("partner view", Duration.ofSeconds(20), d -> own.tenantsPartner().equals(d.findElement(By.id("node-title")).getAttribute("data-id")));
        assertThat(rows(b, "children-table")).isEqualTo(apiChildren(token, "partners", own.tenantsPartner()));
        assertThat(b.driver.findElements(By.cssSelector(".crumbs a")).stream().map(WebElement::getText))
                .contains("distributor " + own.distributor());
        b.screenshots("partner");
    }

    private void aBadEntryShowsTheApisMessageAtTheField(Browser b, Channel c) {
        String token = tokens.get(c.tenantsPartner());
        signInWithLink(b, token, null);
        String badFrom = "2000-01-01T00:00:00Z";
        String id = "dash-" + run.runId + "-early";
        WebElement form = b.driver.findElement(By.id("onboard-form"));
        form.findElement(By.name("id")).sendKeys(id);
        WebElement from = form.findElement(By.name("effectiveFrom"));
        from.clear();
        from.sendKeys(badFrom);
        form.findElement(By.id("onboard-submit")).click();
        String shown = b.waitFor("the field's message", Duration.ofSeconds(20), d -> {
            String t = b.text(By.cssSelector("#onboard-form .field-error[data-for='effectiveFrom']"));
            return t == null || t.isBlank() ? null : t;
        });
        Api.Answer direct = api.put(token, "/v1/tenants/" + id, Api.obj("effectiveFrom", badFrom, "partnerId", c.tenantsPartner()));
        assertThat(direct.status()).isEqualTo(422);
        assertThat(shown).as("the API's own message, at the field").isEqualTo(direct.json().get("message").asText());
        assertThat(from.getAttribute("aria-invalid")).isEqualTo("true");
        assertThat(b.driver.switchTo().activeElement().getAttribute("name")).as("focus moves to the field").isEqualTo("effectiveFrom");
        b.screenshots("partner-admin-error");
    }

    private static List<String[]> csv(Path file) throws Exception {
        List<String[]> out = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                out.add(line.split(",", -1)); // ids, currencies and decimals: no quoting needed
            }
        }
        return out;
    }

    @FunctionalInterface
    interface Attempt<T> {
        T get() throws Exception;
    }

    private <T> T eventually(String what, Duration timeout, Attempt<T> attempt) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        Throwable last = null;
        while (Instant.now().isBefore(deadline)) {
            run.system.requireAlive();
            try {
                T v = attempt.get();
                if (v != null) {
                    return v;
                }
            } catch (AssertionError | RuntimeException e) {
                last = e;
            }
            Thread.sleep(200);
        }
        throw new AssertionError(what + ": not within " + timeout.toSeconds() + " s" + (last == null ? "" : "; last: " + last), last);
    }
}
