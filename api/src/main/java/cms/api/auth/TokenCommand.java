package cms.api.auth;

import cms.api.ApiConfiguration;
import cms.api.hierarchy.Ids;
import io.dropwizard.core.cli.ConfiguredCommand;
import io.dropwizard.core.setup.Bootstrap;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;

import java.time.Duration;
import java.util.Arrays;

/**
 * {@code token CONFIG --role partner --org p1 [--ttl PT1H]}: prints a bearer token signed with the
 * configured key, for local use and scripts.
 */
public final class TokenCommand extends ConfiguredCommand<ApiConfiguration> {
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
        subparser.addArgument("--ttl").help("ISO-8601 duration, e.g. PT1H; default auth.tokenTtl");
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
        String ttl = namespace.getString("ttl");
        ApiConfiguration.Auth auth = configuration.getAuth();
        JwtTokens tokens = new JwtTokens(auth.getSigningKey(), auth.getIssuer(), auth.getLeeway().toJavaDuration());
        Duration lifetime = ttl != null ? Duration.parse(ttl) : auth.getTokenTtl().toJavaDuration();
        System.out.println(tokens.mint(new Caller(role, org), lifetime));
    }
}
