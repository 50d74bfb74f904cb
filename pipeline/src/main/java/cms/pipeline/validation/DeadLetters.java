package cms.pipeline.validation;

import cms.avro.DeadLetter;
import cms.avro.DeadLetterReason;
import cms.pipeline.model.RawRecord;

import java.nio.ByteBuffer;
import java.time.Instant;

/** Builds dead letters: reason, detail, source coordinates and the original bytes untouched. */
public final class DeadLetters {
    public static DeadLetter of(DeadLetterReason reason, String detail, RawRecord source, String eventId) {
        return DeadLetter.newBuilder()
                .setReason(reason)
                .setDetail(detail)
                .setSourceTopic(source.topic)
                .setSourcePartition(source.partition)
                .setSourceOffset(source.offset)
                .setSourceTimestamp(source.timestamp >= 0 ? Instant.ofEpochMilli(source.timestamp) : null)
                .setEventId(eventId)
                .setKey(source.key == null ? null : ByteBuffer.wrap(source.key))
                .setValue(source.value == null ? null : ByteBuffer.wrap(source.value))
                .build();
    }

    private DeadLetters() {}
}
