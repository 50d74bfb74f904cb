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
import java.util.List;

/**
 * {@code token CONFIG --user ID [ID ...] [--ttl PT1H]}: prints a bearer token of the local issuer
 * for each user (one a line, in order), signed with the configured key, for local use and scripts.
 * The API accepts a token while its user exists and is ACTIVE. Bad arguments print what is wrong
 * and the usage line.
 */
public final class TokenCommand extends ConfiguredCommand<ApiConfiguration> {
    private volatile String usage = "token CONFIG --user ID [ID ...] [--ttl DURATION]";

    public TokenCommand() {
        super("token", "Mint a bearer token for a user, signed with the configured key (for local use)");
    }

    @Override
    public void configure(Subparser subparser) {
        super.configure(subparser);
        subparser.addArgument("--user").nargs("+").help("the user's id (the token's sub); several mint one token each");
        subparser.addArgument("--ttl").help("ISO-8601 duration, e.g. PT1H; default auth.tokenTtl, at most auth.maxTokenLifetime");
        usage = subparser.formatUsage().strip();
    }

    @Override
    protected void run(Bootstrap<ApiConfiguration> bootstrap, Namespace namespace, ApiConfiguration configuration) {
        List<String> users = namespace.getList("user");
        if (users == null || users.isEmpty() || !users.stream().allMatch(Ids::isValid)) {
            throw new IllegalArgumentException("--user is required and must match " + Ids.PATTERN);
        }
        ApiConfiguration.Auth auth = configuration.getAuth();
        LocalIssuer issuer = auth.localIssuer();
        Duration lifetime = lifetime(namespace.getString("ttl"), auth);
        if (lifetime.compareTo(issuer.maxLifetime()) > 0 || lifetime.isNegative() || lifetime.isZero()) {
            throw new IllegalArgumentException("--ttl must be positive and at most auth.maxTokenLifetime ("
                    + issuer.maxLifetime() + ")");
        }
        for (String user : users) {
            System.out.println(issuer.mint(user, lifetime));
        }
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
