package cms.api.auth;

import io.dropwizard.auth.Authenticator;

import java.util.Optional;

/** Bearer token to caller, for Dropwizard's OAuthCredentialAuthFilter. */
public final class JwtAuthenticator implements Authenticator<String, Caller> {
    private final JwtTokens tokens;

    public JwtAuthenticator(JwtTokens tokens) {
        this.tokens = tokens;
    }

    @Override
    public Optional<Caller> authenticate(String token) {
        return tokens.verify(token);
    }
}
