package cms.api.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;

import java.net.MalformedURLException;
import java.net.URI;
import java.text.ParseException;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * An OpenID Connect identity provider: RS256 or ES256 tokens checked against the keys of its JWKS
 * URL, with the configured issuer and audience. nimbus keeps the key set cached for
 * {@code cacheTtl} and fetches it again, at most once per {@code refreshMinInterval}, when a token
 * names a key it does not hold: a rotated key is picked up with the first token signed by it.
 */
public final class OidcIssuer implements TokenIssuer {
    private final String issuer;
    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();

    public OidcIssuer(String issuer, String audience, String jwksUrl, Duration cacheTtl, Duration refreshMinInterval,
                      Duration leeway, Duration maxLifetime) {
        this.issuer = issuer;
        JWKSource<SecurityContext> keys;
        try {
            keys = JWKSourceBuilder.<SecurityContext>create(URI.create(jwksUrl).toURL())
                    .cache(cacheTtl.toMillis(), Math.min(cacheTtl.toMillis(), JWKSourceBuilder.DEFAULT_CACHE_REFRESH_TIMEOUT))
                    .rateLimited(refreshMinInterval.toMillis())
                    .retrying(true)
                    .build();
        } catch (MalformedURLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("auth.oidc.jwksUrl is not a URL: " + jwksUrl, e);
        }
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256), keys));
        processor.setJWTClaimsSetVerifier(new LifetimeClaimsVerifier(issuer, audience, leeway, maxLifetime));
    }

    @Override
    public String issuer() {
        return issuer;
    }

    @Override
    public Optional<String> verify(String token) {
        try {
            return Optional.ofNullable(processor.process(token, null).getSubject());
        } catch (ParseException | BadJOSEException | JOSEException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
