package cms.api.auth;

import cms.api.ApiConfiguration;
import cms.api.hierarchy.Ids;
import io.dropwizard.core.cli.Cli;
import io.dropwizard.core.cli.ConfiguredCommand;
import io.dropwizard.core.setup.Bootstrap;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;

/**
 * {@code token CONFIG --role partner --org p1 [--ttl PT1H]}: prints a bearer token signed with the
 * configured key, for local use and scripts. Bad arguments print what is wrong and the usage line.
 */
public final class TokenCommand extends ConfiguredCommand<ApiConfiguration> {
    private volatile String usage = "token CONFIG --role ROLE [--org ID] [--ttl DURATION]";

    public TokenCommand() {
        super("token", "Mint a bearer token signed with the configured key (for local use)");
    }

    @Override
    public void configure(Subparser subparser) {
        super.configure(subparser);
        subparser.addArgument("--role").required(true)
                .choices(Arrays.stream(Role.values()).map(Role::claim).toArray(String[]::new))
                .help("the role claim");
        subparser.addArgument("--org").help("the distributor, partner or tenant id (absent for platform-admin)");
        subparser.addArgument("--ttl").help("ISO-8601 duration, e.g. PT1H; default auth.tokenTtl, at most auth.maxTokenLifetime");
        usage = subparser.formatUsage().strip();
    }

    @Override
    protected void run(Bootstrap<ApiConfiguration> bootstrap, Namespace namespace, ApiConfiguration configuration) {
        Role role = Role.fromClaim(namespace.getString("role")).orElseThrow();
        String org = namespace.getString("org");
        if (role == Role.PLATFORM_ADMIN && org != null) {
            throw new IllegalArgumentException("--org must be absent for platform-admin");
        }
        if (role != Role.PLATFORM_ADMIN && (org == null || !Ids.isValid(org))) {
            throw new IllegalArgumentException("--org is required for " + role.claim() + " and must match " + Ids.PATTERN);
        }
        ApiConfiguration.Auth auth = configuration.getAuth();
        JwtTokens tokens = auth.tokens();
        Duration lifetime = lifetime(namespace.getString("ttl"), auth);
        if (lifetime.compareTo(tokens.maxLifetime()) > 0 || lifetime.isNegative() || lifetime.isZero()) {
            throw new IllegalArgumentException("--ttl must be positive and at most auth.maxTokenLifetime ("
                    + tokens.maxLifetime() + ")");
        }
        System.out.println(tokens.mint(new Caller(role, org), lifetime));
    }

    private static Duration lifetime(String ttl, ApiConfiguration.Auth auth) {
        if (ttl == null) {
            return auth.getTokenTtl().toJavaDuration();
        }
        try {
            return Duration.parse(ttl);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("--ttl must be an ISO-8601 duration such as PT1H, not '" + ttl + "'");
        }
    }

    /** What was wrong and how to call it; never a stack trace (the default), which reads as a crash. */
    @Override
    public void onError(Cli cli, Namespace namespace, Throwable e) {
        cli.getStdErr().println("token: " + e.getMessage());
        cli.getStdErr().println(usage);
    }
}
