package cms.api.auth;

import cms.api.ApiApplication;
import cms.api.ApiConfiguration;
import io.dropwizard.core.cli.Cli;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.testing.ResourceHelpers;
import io.dropwizard.util.JarLocation;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class TokenCommandTest {
    private static final String CONFIG = ResourceHelpers.resourceFilePath("token-config.yml");
    private static final JwtTokens VERIFIER = new JwtTokens("token-command-test-signing-key-0123456789", "cms", Duration.ZERO, Duration.ofHours(24));

    /** Runs the application's command line; returns what the command printed, or the failure. */
    private static String run(String... args) {
        ApiApplication app = new ApiApplication();
        Bootstrap<ApiConfiguration> bootstrap = new Bootstrap<>(app);
        app.initialize(bootstrap);
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        ByteArrayOutputStream cliOut = new ByteArrayOutputStream();
        PrintStream original = System.out;
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        Optional<Throwable> failure;
        try {
            failure = new Cli(new JarLocation(TokenCommandTest.class), bootstrap,
                    new PrintStream(cliOut, true, StandardCharsets.UTF_8), new PrintStream(cliOut, true, StandardCharsets.UTF_8))
                    .run(args);
        } finally {
            System.setOut(original);
        }
        if (failure.isPresent()) {
            return "FAILED: " + failure.get().getMessage() + " " + cliOut;
        }
        return printed.toString(StandardCharsets.UTF_8).strip();
    }

    @Test
    void mintsATokenTheApiAccepts() {
        String token = run("token", CONFIG, "--role", "partner", "--org", "p1", "--ttl", "PT5M");
        assertThat(VERIFIER.verify(token)).contains(new Caller(Role.PARTNER, "p1"));
        assertThat(VERIFIER.verify(run("token", CONFIG, "--role", "platform-admin"))).contains(Caller.platformAdmin());
    }

    @Test
    void refusesInconsistentArguments() {
        assertThat(run("token", CONFIG, "--role", "partner")).startsWith("FAILED: --org is required");
        assertThat(run("token", CONFIG, "--role", "platform-admin", "--org", "d1")).startsWith("FAILED: --org must be absent");
        assertThat(run("token", CONFIG, "--role", "root")).startsWith("FAILED");
    }

    @Test
    void badArgumentsPrintAUsageLineNotAStackTrace() {
        for (String[] args : new String[][] {{"token", CONFIG, "--role", "partner"},
                {"token", CONFIG, "--role", "tenant", "--org", "Not An Id"},
                {"token", CONFIG, "--role", "partner", "--org", "p1", "--ttl", "forever"}}) {
            String out = run(args);
            assertThat(out).as(String.join(" ", args)).startsWith("FAILED").contains("token: --").contains("usage:")
                    .doesNotContain("\tat ").doesNotContain("Exception");
        }
    }

    @Test
    void refusesALifetimeBeyondTheMaximum() {
        // token-config.yml: maxTokenLifetime 24 hours
        String out = run("token", CONFIG, "--role", "platform-admin", "--ttl", "P3650D");
        assertThat(out).startsWith("FAILED: --ttl must be positive and at most").contains("usage:");
        assertThat(VERIFIER.verify(run("token", CONFIG, "--role", "platform-admin", "--ttl", "PT24H")))
                .contains(Caller.platformAdmin());
    }
}
