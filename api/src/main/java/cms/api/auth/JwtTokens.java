package cms.api.auth;

import cms.api.hierarchy.Ids;
import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.interfaces.DecodedJWT;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Mints and verifies the API's bearer tokens: HS256 over the configured key, with issuer, expiry
 * and the claims {@code role} and {@code org}. A token may live at most {@code maxLifetime}: one
 * whose exp - iat or exp - now is longer is refused, so a leaked token cannot outlive the bound.
 * Thread-safe.
 */
public final class JwtTokens {
    public static final String ROLE = "role";
    public static final String ORG = "org";

    private final Algorithm algorithm;
    private final String issuer;
    private final JWTVerifier verifier;
    private final Clock clock;
    private final Duration leeway;
    private final Duration maxLifetime;

    public JwtTokens(String signingKey, String issuer, Duration leeway, Duration maxLifetime) {
        this(signingKey, issuer, leeway, maxLifetime, Clock.systemUTC());
    }

    JwtTokens(String signingKey, String issuer, Duration leeway, Duration maxLifetime, Clock clock) {
        this.algorithm = Algorithm.HMAC256(signingKey);
        this.issuer = issuer;
        this.clock = clock;
        this.leeway = leeway;
        this.maxLifetime = maxLifetime;
        this.verifier = JWT.require(algorithm)
                .withIssuer(issuer)
                .withClaimPresence("exp")
                .withClaimPresence(ROLE)
                .acceptLeeway(leeway.toSeconds())
                .build();
    }

    public Duration maxLifetime() {
        return maxLifetime;
    }

    /** @throws IllegalArgumentException when {@code ttl} is not positive or longer than the maximum lifetime */
    public String mint(Caller caller, Duration ttl) {
        if (ttl.isNegative() || ttl.isZero() || ttl.compareTo(maxLifetime) > 0) {
            throw new IllegalArgumentException("the lifetime " + ttl + " must be positive and at most " + maxLifetime);
        }
        Instant now = clock.instant();
        var builder = JWT.create()
                .withIssuer(issuer)
                .withSubject(caller.getName())
                .withIssuedAt(now)
                .withExpiresAt(now.plus(ttl))
                .withClaim(ROLE, caller.role().claim());
        if (caller.org() != null) {
            builder.withClaim(ORG, caller.org());
        }
        return builder.sign(algorithm);
    }

    /** The caller a token names, or empty when the token is malformed, forged, expired or inconsistent. */
    public Optional<Caller> verify(String token) {
        DecodedJWT jwt;
        try {
            jwt = verifier.verify(token);
        } catch (JWTVerificationException | IllegalArgumentException e) {
            return Optional.empty();
        }
        if (!withinLifetime(jwt)) {
            return Optional.empty();
        }
        Optional<Role> role = Role.fromClaim(jwt.getClaim(ROLE).asString());
        if (role.isEmpty()) {
            return Optional.empty();
        }
        String org = jwt.getClaim(ORG).isMissing() || jwt.getClaim(ORG).isNull() ? null : jwt.getClaim(ORG).asString();
        if (role.get() == Role.PLATFORM_ADMIN) {
            // an org on an admin token means someone minted it by hand and wrongly: refuse rather than guess
            return org == null ? Optional.of(Caller.platformAdmin()) : Optional.empty();
        }
        if (org == null || !Ids.isValid(org)) {
            return Optional.empty();
        }
        return Optional.of(new Caller(role.get(), org));
    }

    private boolean withinLifetime(DecodedJWT jwt) {
        Instant exp = jwt.getExpiresAtAsInstant();
        Instant iat = jwt.getIssuedAtAsInstant();
        Duration bound = maxLifetime.plus(leeway);
        return Duration.between(clock.instant(), exp).compareTo(bound) <= 0
                && (iat == null || Duration.between(iat, exp).compareTo(maxLifetime) <= 0);
    }
}
