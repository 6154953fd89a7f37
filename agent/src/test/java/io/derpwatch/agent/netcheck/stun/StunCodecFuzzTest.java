package io.derpwatch.agent.netcheck.stun;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * Fuzzes the STUN decoder: any datagram decodes to a response or a rejection, never an exception, and never reads
 * beyond the datagram (the buffer is exactly the input). Regression mode in CI (the seeds below and any
 * {@code src/test/resources/.../StunCodecFuzzTestInputs}); {@code JAZZER_FUZZ=1} to fuzz.
 */
class StunCodecFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void decode_neverThrows(byte[] datagram) {
        ByteBuf buf = Unpooled.wrappedBuffer(datagram).asReadOnly();
        Object decoded = StunCodec.decode(buf);
        assertThat(decoded).isNotNull().isInstanceOfAny(StunResponse.class, StunRejection.class);
        assertThat(buf.readerIndex()).isZero();
    }
}
