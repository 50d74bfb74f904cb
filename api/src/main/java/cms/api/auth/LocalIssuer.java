package cms.api.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.source.ImmutableSecret;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;

import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;

/**
 * The API's own issuer, for local use: HS256 tokens over the configured key naming a user
 * ({@code sub}), with issuer, issue time and expiry, at most {@code maxLifetime} long. What the
 * token command mints. Thread-safe.
 */
public final class LocalIssuer implements TokenIssuer {
    private final byte[] key;
    private final String issuer;
    private final Duration maxLifetime;
    private final Clock clock;
    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();

    public LocalIssuer(String signingKey, String issuer, Duration leeway, Duration maxLifetime) {
        this(signingKey, issuer, leeway, maxLifetime, Clock.systemUTC());
    }

    LocalIssuer(String signingKey, String issuer, Duration leeway, Duration maxLifetime, Clock clock) {
        this.key = signingKey.getBytes(StandardCharsets.UTF_8);
        this.issuer = issuer;
        this.maxLifetime = maxLifetime;
        this.clock = clock;
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.HS256, new ImmutableSecret<>(key)));
        processor.setJWTClaimsSetVerifier(new LifetimeClaimsVerifier(issuer, null, leeway, maxLifetime));
    }

    @Override
    public String issuer() {
        return issuer;
    }

    public Duration maxLifetime() {
        return maxLifetime;
    }

    /** @throws IllegalArgumentException when {@code ttl} is not positive or longer than the maximum lifetime */
    public String mint(String userId, Duration ttl) {
        if (ttl.isNegative() || ttl.isZero() || ttl.compareTo(maxLifetime) > 0) {
            throw new IllegalArgumentException("the lifetime " + ttl + " must be positive and at most " + maxLifetime);
        }
        Instant now = clock.instant();
        JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(issuer).subject(userId)
                .issueTime(Date.from(now)).expirationTime(Date.from(now.plus(ttl))).build();
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        try {
            jwt.sign(new MACSigner(key));
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign with the configured key", e);
        }
        return jwt.serialize();
    }

    @Override
    public Optional<String> verify(String token) {
        try {
            return Optional.ofNullable(processor.process(token, null).getSubject());
        } catch (ParseException | com.nimbusds.jose.proc.BadJOSEException | JOSEException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
