package cms.api.auth;

import java.util.Optional;

/** One issuer the API trusts: the user a token of that issuer names, if the token is good. */
public interface TokenIssuer {
    /** The {@code iss} this issuer's tokens carry. */
    String issuer();

    /** The token's {@code sub}, or empty when the token is malformed, forged, expired or over-long-lived. */
    Optional<String> verify(String token);
}
