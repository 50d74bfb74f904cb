package cms.pipeline.it;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.core.io.SimpleVersionedSerializer;

import java.io.Serializable;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A finite source for topology tests on a MiniCluster (one JVM, so the script is held here, not shipped): one split
 * per Kafka partition, each with its records in order and its own output, so the source's watermark is the minimum
 * over the partitions as with the Kafka source. The records come in phases: a phase's records are read once its gate
 * opens (e.g. once January is FINAL), the partitions' records interleaved; the input ends once the end gate opens
 * (its end-of-input watermark then finalizes every window). Not restorable: run its jobs without restarts.
 */
final class ScriptedSource<T> implements Source<T, ScriptedSource.Split, Void>, ResultTypeQueryable<T> {
    private static final long serialVersionUID = 1L;
    private static final Map<String, Script<?>> SCRIPTS = new ConcurrentHashMap<>();

    /** Records of every split (partition) released when {@code opens} first says true. */
    record Phase<T>(BooleanSupplier opens, List<List<T>> splits) {}

    private record Script<T>(List<Phase<T>> phases, BooleanSupplier end) {}

    private final String id;
    private final int splits;
    private final TypeInformation<T> type;

    /** Every phase lists the same number of splits (partitions), each its records in order. */
    ScriptedSource(TypeInformation<T> type, List<Phase<T>> phases, BooleanSupplier end) {
        this.id = UUID.randomUUID().toString();
        this.splits = phases.get(0).splits().size();
        this.type = type;
        for (Phase<T> p : phases) {
            if (p.splits().size() != splits) {
                throw new IllegalArgumentException("every phase needs " + splits + " splits");
            }
        }
        SCRIPTS.put(id, new Script<>(List.copyOf(phases), end));
    }

    /** Forgets the script (the records); a job still reading it fails. */
    void close() {
        SCRIPTS.remove(id);
    }

    @Override
    public TypeInformation<T> getProducedType() {
        return type;
    }

    @Override
    public Boundedness getBoundedness() {
        return Boundedness.BOUNDED;
    }

    @Override
    public SourceReader<T, Split> createReader(SourceReaderContext context) {
        @SuppressWarnings("unchecked")
        Script<T> script = (Script<T>) SCRIPTS.get(id);
        return new Reader<>(script);
    }

    @Override
    public SplitEnumerator<Split, Void> createEnumerator(SplitEnumeratorContext<Split> context) {
        List<Split> all = new ArrayList<>();
        for (int i = 0; i < splits; i++) {
            all.add(new Split(i));
        }
        return new Enumerator(context, all);
    }

    @Override
    public SplitEnumerator<Split, Void> restoreEnumerator(SplitEnumeratorContext<Split> context, Void checkpoint) {
        throw new UnsupportedOperationException("a scripted source is not restored: run its jobs without restarts");
    }

    @Override
    public SimpleVersionedSerializer<Split> getSplitSerializer() {
        return new SplitSerializer();
    }

    @Override
    public SimpleVersionedSerializer<Void> getEnumeratorCheckpointSerializer() {
        return new NothingSerializer();
    }

    /** A partition: its index in every phase's list. */
    record Split(int index) implements SourceSplit, Serializable {
        @Override
        public String splitId() {
            return "partition-" + index;
        }
    }

    /** All splits to the first reader (the usage source has one subtask), then no more. */
    private static final class Enumerator implements SplitEnumerator<Split, Void> {
        private final SplitEnumeratorContext<Split> context;
        private final List<Split> unassigned;

        Enumerator(SplitEnumeratorContext<Split> context, List<Split> splits) {
            this.context = context;
            this.unassigned = new ArrayList<>(splits);
        }

        @Override
        public void start() {}

        @Override
        public void handleSplitRequest(int subtaskId, String requesterHostname) {}

        @Override
        public void addSplitsBack(List<Split> splits, int subtaskId) {
            unassigned.addAll(splits);
        }

        @Override
        public void addReader(int subtaskId) {
            for (Split s : unassigned) {
                context.assignSplit(s, subtaskId);
            }
            unassigned.clear();
            context.signalNoMoreSplits(subtaskId);
        }

        @Override
        public Void snapshotState(long checkpointId) {
            return null;
        }

        @Override
        public void close() {}
    }

    /** Emits one record of each split in turn whose phase is open; nothing available: asks again a little later. */
    private static final class Reader<T> implements SourceReader<T, Split> {
        private static final long POLL_MILLIS = 20;
        private final Script<T> script;
        private final List<Split> assigned = new ArrayList<>();
        private final Map<Integer, int[]> positions = new HashMap<>();   // split -> {phase, index in the phase}
        private final Map<Integer, SourceOutput<T>> outputs = new HashMap<>();
        private int openPhases;
        private boolean noMoreSplits;

        Reader(Script<T> script) {
            this.script = script;
        }

        @Override
        public void start() {}

        @Override
        public InputStatus pollNext(ReaderOutput<T> output) {
            while (openPhases < script.phases().size() && script.phases().get(openPhases).opens().getAsBoolean()) {
                openPhases++;
            }
            boolean emitted = false;
            boolean pending = false;
            for (Split split : assigned) {
                int[] at = positions.get(split.index());
                while (at[0] < openPhases && at[1] >= script.phases().get(at[0]).splits().get(split.index()).size()) {
                    at[0]++;
                    at[1] = 0;
                }
                if (at[0] < openPhases) {
                    SourceOutput<T> out = outputs.computeIfAbsent(split.index(), i -> output.createOutputForSplit(split.splitId()));
                    out.collect(script.phases().get(at[0]).splits().get(split.index()).get(at[1]++));
                    emitted = true;
                } else if (at[0] < script.phases().size()) {
                    pending = true;
                }
            }
            if (emitted) {
                return InputStatus.MORE_AVAILABLE;
            }
            if (!pending && noMoreSplits && script.end().getAsBoolean()) {
                outputs.keySet().forEach(i -> output.releaseOutputForSplit(new Split(i).splitId()));
                return InputStatus.END_OF_INPUT;
            }
            return InputStatus.NOTHING_AVAILABLE;
        }

        @Override
        public List<Split> snapshotState(long checkpointId) {
            return List.copyOf(assigned);
        }

        @Override
        public CompletableFuture<Void> isAvailable() {
            return CompletableFuture.runAsync(() -> {}, CompletableFuture.delayedExecutor(POLL_MILLIS, TimeUnit.MILLISECONDS));
        }

        @Override
        public void addSplits(List<Split> splits) {
            for (Split s : splits) {
                assigned.add(s);
                positions.put(s.index(), new int[] {0, 0});
            }
        }

        @Override
        public void notifyNoMoreSplits() {
            noMoreSplits = true;
        }

        @Override
        public void close() {}
    }

    private static final class SplitSerializer implements SimpleVersionedSerializer<Split> {
        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(Split split) {
            return ByteBuffer.allocate(4).putInt(split.index()).array();
        }

        @Override
        public Split deserialize(int version, byte[] serialized) {
            return new Split(ByteBuffer.wrap(serialized).getInt());
        }
    }

    private static final class NothingSerializer implements SimpleVersionedSerializer<Void> {
        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(Void nothing) {
            return new byte[0];
        }

        @Override
        public Void deserialize(int version, byte[] serialized) {
            return null;
        }
    }
}
