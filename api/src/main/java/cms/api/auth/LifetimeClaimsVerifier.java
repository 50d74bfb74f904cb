package cms.api.auth;

import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Set;

/**
 * The claims check of both issuers: nimbus's (exact issuer, audience, sub and exp present, exp/nbf
 * with the leeway) plus a bound on the lifetime: a token whose exp - iat, or exp - now, is longer
 * than the maximum is refused, so no token outlives the bound whoever minted it.
 */
final class LifetimeClaimsVerifier extends DefaultJWTClaimsVerifier<SecurityContext> {
    private final Duration maxLifetime;
    private final Duration leeway;

    LifetimeClaimsVerifier(String issuer, String audience, Duration leeway, Duration maxLifetime) {
        super(audience, new JWTClaimsSet.Builder().issuer(issuer).build(), Set.of("sub", "exp"));
        setMaxClockSkew((int) leeway.toSeconds());
        this.maxLifetime = maxLifetime;
        this.leeway = leeway;
    }

    @Override
    public void verify(JWTClaimsSet claims, SecurityContext context) throws BadJWTException {
        super.verify(claims, context);
        Instant exp = claims.getExpirationTime().toInstant();
        if (Duration.between(Instant.now(), exp).compareTo(maxLifetime.plus(leeway)) > 0) {
            throw new BadJWTException("the token lives longer than " + maxLifetime);
        }
        Date iat = claims.getIssueTime();
        if (iat != null && Duration.between(iat.toInstant(), exp).compareTo(maxLifetime) > 0) {
            throw new BadJWTException("the token lives longer than " + maxLifetime);
        }
    }
}
