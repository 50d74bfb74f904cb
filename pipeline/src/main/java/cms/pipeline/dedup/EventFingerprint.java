package cms.pipeline.dedup;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * What the job remembers of an eventId: 64 bits of its SHA-256 (CONTRACT.md lets the system remember a
 * fingerprint instead of the id). Two different ids of one subscription are taken for one only when
 * their fingerprints collide: with n ids remembered for the subscription, a new event collides with
 * probability at most n / 2^64, below 10^-12 for any n under 18 million. A cryptographic hash, not a
 * fast one, because a producer must not be able to make its own distinct events count once by choosing
 * their ids. One instance per task thread: MessageDigest is not thread-safe.
 */
public final class EventFingerprint {
    private final MessageDigest sha256;

    public EventFingerprint() {
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    public long of(String eventId) {
        byte[] d = sha256.digest(eventId.getBytes(StandardCharsets.UTF_8));
        long fp = 0;
        for (int i = 0; i < 8; i++) {
            fp = (fp << 8) | (d[i] & 0xff);
        }
        return fp;
    }
}
