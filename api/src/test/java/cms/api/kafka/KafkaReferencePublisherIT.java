package cms.api.kafka;

import cms.api.Seed;
import cms.api.hierarchy.HierarchyModel;
import cms.api.hierarchy.NodeKind;
import cms.avro.HierarchyChange;
import cms.avro.NodeLevel;
import cms.registry.SchemaRegistryClient;
import cms.stack.LocalStackAddresses;
import cms.wire.AvroSerializer;
import jakarta.ws.rs.WebApplicationException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The publisher on the real registry and broker: acknowledged writes enter the model, others change nothing. */
class KafkaReferencePublisherIT {
    private static final LocalStackAddresses STACK = LocalStackAddresses.fromEnvironment();
    private static final String RUN = "pub" + ThreadLocalRandom.current().nextInt(1_000_000, 10_000_000);

    private static AvroSerializer serializer() {
        return new AvroSerializer(new SchemaRegistryClient(SchemaRegistryClient.Config.of(STACK.registryUrl())), true);
    }

    @Test
    void anAcknowledgedWriteEntersTheModel() {
        HierarchyModel model = new HierarchyModel();
        KafkaReferencePublisher publisher = new KafkaReferencePublisher(STACK.kafkaBootstrap(), serializer(), model, Duration.ofSeconds(10), 1_000_000);
        publisher.start();
        try {
            HierarchyChange change = Seed.node(NodeLevel.DISTRIBUTOR, RUN + "-ok", null, null);
            publisher.publish(change);
            assertThat(model.node(NodeKind.DISTRIBUTOR, RUN + "-ok")).isPresent();
        } finally {
            publisher.stop();
        }
    }

    @Test
    void aWriteKafkaDoesNotAcknowledgeIs503AndChangesNothing() throws IOException {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort(); // nothing listens there once the socket is closed
        }
        HierarchyModel model = new HierarchyModel();
        KafkaReferencePublisher publisher = new KafkaReferencePublisher("127.0.0.1:" + closed, serializer(), model, Duration.ofSeconds(2), 1_000_000);
        publisher.start();
        try {
            assertThatThrownBy(() -> publisher.publish(Seed.node(NodeLevel.DISTRIBUTOR, RUN + "-lost", null, null)))
                    .isInstanceOfSatisfying(WebApplicationException.class,
                            e -> assertThat(e.getResponse().getStatus()).isEqualTo(503));
            assertThat(model.node(NodeKind.DISTRIBUTOR, RUN + "-lost")).isEmpty();
        } finally {
            publisher.stop();
        }
    }

    @Test
    void aVersionOverTheRecordLimitIs413BeforeAnythingIsSent() {
        HierarchyModel model = new HierarchyModel();
        KafkaReferencePublisher publisher = new KafkaReferencePublisher(STACK.kafkaBootstrap(), serializer(), model,
                Duration.ofSeconds(10), 64 * 1024);
        publisher.start();
        try {
            HierarchyChange big = HierarchyChange.newBuilder(Seed.node(NodeLevel.DISTRIBUTOR, RUN + "-big", null, null))
                    .setName("x".repeat(70_000)).build();
            assertThatThrownBy(() -> publisher.publish(big))
                    .isInstanceOfSatisfying(WebApplicationException.class, e -> {
                        assertThat(e.getResponse().getStatus()).isEqualTo(413);
                        assertThat(e.getMessage()).startsWith("body: this version encodes to ");
                    });
            assertThat(model.node(NodeKind.DISTRIBUTOR, RUN + "-big")).isEmpty();
        } finally {
            publisher.stop();
        }
    }
}
