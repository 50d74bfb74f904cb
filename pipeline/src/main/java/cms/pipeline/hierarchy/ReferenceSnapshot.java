package cms.pipeline.hierarchy;

import cms.pipeline.model.ReferenceUpdate;

import java.io.IOException;
import java.io.Serializable;
import java.util.List;

/**
 * The reference data a rating task reads synchronously when it starts, before it rates anything: the job's is
 * {@link KafkaReferenceSnapshot} (the topics to their end); a topology test gives its scenario's versions.
 */
public interface ReferenceSnapshot extends Serializable {
    /** Every version known at the time of the call; reading one twice is harmless (versions are keyed). */
    List<ReferenceUpdate> read() throws IOException;
}
