package io.derpwatch.bench.netcheck;

import io.derpwatch.agent.netcheck.stun.StunCodec;
import io.derpwatch.agent.netcheck.stun.TransactionId;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The STUN codec's share of a probe: encoding a Binding request (with FINGERPRINT and a fresh SecureRandom
 * transaction id), decoding a Binding success response (XOR-MAPPED-ADDRESS + FINGERPRINT), and rejecting a
 * datagram with a bad magic cookie. Method and figures: docs/benchmarks.md, section "Netcheck".
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@State(Scope.Thread)
public class StunCodecBenchmark {
    private ByteBuf out;
    private ByteBuf response;
    private ByteBuf badCookie;

    @Setup
    public void setUp() {
        out = Unpooled.buffer(64);
        response = Unpooled.buffer(64);
        StunCodec.writeBindingSuccess(TransactionId.random(), new InetSocketAddress("198.51.100.7", 41641), response);
        badCookie = response.copy();
        badCookie.setInt(4, 0x12345678);
    }

    @Benchmark
    public ByteBuf encodeRequest() {
        out.clear();
        StunCodec.writeBindingRequest(TransactionId.random(), out);
        return out;
    }

    @Benchmark
    public Object decodeResponse() {
        return StunCodec.decode(response);
    }

    @Benchmark
    public Object rejectBadCookie() {
        return StunCodec.decode(badCookie);
    }
}
