package cms.pipeline.kafka;

import cms.registry.SchemaRegistryClient;
import cms.registry.SchemaRegistryException;
import cms.topics.Topics;
import org.apache.avro.Schema;

/**
 * Registers an output schema once when a sink starts. Parallel subtasks register the same new
 * subject at the same moment, and the registry can refuse all but the first with HTTP 409 ("already
 * exists"); the schema is then there, so the next attempt finds it. The sink keeps the returned id and
 * frames every record with it.
 */
final class SchemaRegistration {
    private static final int ATTEMPTS = 10;

    static int register(SchemaRegistryClient client, String topic, Schema schema) throws InterruptedException {
        String subject = Topics.valueSubject(topic);
        for (int attempt = 1; ; attempt++) {
            try {
                return client.register(subject, schema);
            } catch (SchemaRegistryException e) {
                if (!e.isIncompatible() || attempt >= ATTEMPTS) {
                    throw e;
                }
                Thread.sleep(100L * attempt);
            }
        }
    }

    private SchemaRegistration() {}
}
