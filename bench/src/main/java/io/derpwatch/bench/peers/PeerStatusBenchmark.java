package io.derpwatch.bench.peers;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.derpwatch.agent.peers.PeerCounts;
import io.derpwatch.agent.peers.PeerPathTracker;
import io.derpwatch.agent.peers.PeerStatusReader;
import io.derpwatch.lab.LabPeers;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One peers sample of a large tailnet: the generated status document ({@link LabPeers}, ~1.5 KB a peer) fed to
 * the {@link PeerStatusReader} in 64 KiB pieces as the LocalAPI client hands them over, with the path tracker
 * seeing every peer, as the peers source does. {@code blockingTokenScan} is the floor for comparison: Jackson's
 * blocking parser walking every token of the same bytes, holding the whole document. Method and figures:
 * docs/benchmarks.md, section "Peers at scale".
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
public class PeerStatusBenchmark {
    private static final int CHUNK = 64 * 1024;
    private static final JsonFactory JSON = new JsonFactory();

    @Param({"10000"})
    public int peers;

    private byte[] status;
    private PeerPathTracker tracker;

    @Setup(Level.Trial)
    public void setUp() {
        int relayed = peers / 2;
        int direct = peers / 4;
        int peerRelay = peers / 20;
        status = LabPeers.status(
                new LabPeers.Mix(direct, relayed, peerRelay, peers - direct - relayed - peerRelay, peers * 9 / 10));
        tracker = new PeerPathTracker(Duration.ofMinutes(5));
    }

    @Benchmark
    public PeerCounts streamingSample() throws Exception {
        tracker.begin(Instant.EPOCH);
        PeerStatusReader reader = new PeerStatusReader(100, tracker::accept);
        for (int off = 0; off < status.length; off += CHUNK) {
            reader.feed(ByteBuffer.wrap(status, off, Math.min(CHUNK, status.length - off)));
        }
        PeerCounts c = reader.finish();
        tracker.finish();
        return c;
    }

    @Benchmark
    public int blockingTokenScan() throws IOException {
        int tokens = 0;
        try (JsonParser p = JSON.createParser(status)) {
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                tokens += t.id();
            }
        }
        return tokens;
    }
}
