package cms.pipeline.model;

import cms.topics.UsageLimits;
import cms.avro.DeadLetter;
import cms.avro.DeadLetterReason;

import java.nio.ByteBuffer;
import java.time.Instant;

/** Builds dead letters: reason, detail, source coordinates and the original bytes untouched. */
public final class DeadLetters {
    /** The longest detail kept (characters): a detail quoting a producer's or a library's message stays small beside the bytes. */
    public static final int MAX_DETAIL_LENGTH = 2000;

    public static DeadLetter of(DeadLetterReason reason, String detail, RawRecord source, String eventId) {
        return DeadLetter.newBuilder()
                .setReason(reason)
                .setDetail(bounded(detail))
                .setSourceTopic(source.topic)
                .setSourcePartition(source.partition)
                .setSourceOffset(source.offset)
                .setSourceTimestamp(source.timestamp >= 0 ? Instant.ofEpochMilli(source.timestamp) : null)
                // an over-long eventId is no id: the value bytes hold it
                .setEventId(eventId != null && eventId.length() <= UsageLimits.MAX_EVENT_ID_LENGTH ? eventId : null)
                .setKey(source.key == null ? null : ByteBuffer.wrap(source.key))
                .setValue(source.value == null ? null : ByteBuffer.wrap(source.value))
                .build();
    }

    /** {@code detail} cut to {@link #MAX_DETAIL_LENGTH} characters, saying so. */
    public static String bounded(String detail) {
        if (detail == null) {
            return "";
        }
        return detail.length() <= MAX_DETAIL_LENGTH ? detail : detail.substring(0, MAX_DETAIL_LENGTH - 20) + "... (" + detail.length() + " chars)";
    }

    private DeadLetters() {}
}
