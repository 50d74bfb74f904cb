package cms.pipeline.it;

import cms.pipeline.job.PipelineConfig;
import cms.wire.AvroSerializer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The fault tests' usage: sent at a steady pace that keeps it flowing until the last fault ({@code plannedEnd}, in
 * System.nanoTime, re-paced as faults finish), everything left at once when the faults are done.
 */
final class SteadyUsage {
    private static final Logger LOG = LoggerFactory.getLogger(SteadyUsage.class);

    private SteadyUsage() {}

    /** Starts the sender thread; {@code sent} counts the records acknowledged. */
    static Thread start(KafkaProducer<byte[], byte[]> producer, AvroSerializer serializer, PipelineConfig config,
                        List<Scenario.Record> usage, AtomicInteger sent, AtomicLong plannedEnd, AtomicBoolean faultsDone) {
        Thread sender = new Thread(() -> send(producer, serializer, config, usage, sent, plannedEnd, faultsDone), "usage-sender");
        sender.setDaemon(true);
        sender.start();
        return sender;
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, AvroSerializer serializer, PipelineConfig config,
                             List<Scenario.Record> usage, AtomicInteger sent, AtomicLong plannedEnd, AtomicBoolean faultsDone) {
        try {
            while (sent.get() < usage.size()) {
                int left = usage.size() - sent.get();
                double secondsLeft = Math.max(1, (plannedEnd.get() - System.nanoTime()) / 1e9);
                // ten sends a second; at least 2 records a second, everything at once when the faults are over
                int batch = faultsDone.get() ? left : (int) Math.max(1, Math.min(left, Math.ceil(left / secondsLeft / 10)));
                if (!faultsDone.get() && left - batch < 20) {
                    batch = Math.max(0, left - 20);   // the last few wait for the last fault: usage flows throughout
                }
                if (batch > 0) {
                    RatingPipelineIT.send(producer, serializer, config, usage.subList(sent.get(), sent.get() + batch));
                    sent.addAndGet(batch);
                }
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("the usage sender failed", e);
        }
    }
}
