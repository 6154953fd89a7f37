package io.derpwatch.agent.localapi;

import static org.assertj.core.api.Assertions.assertThat;

import io.derpwatch.agent.ipn.IpnBusRecordFuzzTest;
import io.derpwatch.agent.localapi.LocalApiException.Kind;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ResourceLeakDetector;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/**
 * Mutated IPN-bus records (binary noise, invalid UTF-8, deep nesting, long strings) as one chunked stream cut at
 * random boundaries, through {@link RecordStreamHandler} on an {@link EmbeddedChannel}: every record under the cap
 * arrives intact and in order whatever its bytes, no buffer leaks (paranoid leak detection), and a record over the
 * cap ends the stream with {@link Kind#RECORD_TOO_LARGE} after holding at most the cap.
 */
class RecordStreamHandlerFuzzTest {
    private static final int CAP = 64 * 1024;

    static {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    }

    @Test
    void mutatedRecordsCutAtRandomBoundaries_allArriveIntact_thenAnOversizedOneEndsTheStream() throws Exception {
        Random r = new Random(0x5eedL);
        List<byte[]> sent = new ArrayList<>();
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        for (int i = 0; i < 2000; i++) {
            byte[] record = strip(IpnBusRecordFuzzTest.mutate(r));
            if (record.length == 0 || record.length > CAP) {
                continue;
            }
            sent.add(record);
            wire.write(record);
            wire.write(r.nextInt(5) == 0 ? new byte[] {'\r', '\n'} : new byte[] {'\n'});
        }
        byte[] oversized = new byte[CAP + 10];
        Arrays.fill(oversized, (byte) 'x');
        wire.write(oversized);
        wire.write('\n');
        byte[] all = wire.toByteArray();

        List<byte[]> received = new ArrayList<>();
        LocalApiStream stream = new LocalApiStream();
        EmbeddedChannel ch =
                new EmbeddedChannel(new RecordStreamHandler(CAP, Path.of("/run/fuzz.sock"), stream, received::add));
        ch.writeInbound(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
        for (int at = 0; at < all.length && ch.isOpen(); ) {
            int n = Math.min(all.length - at, 1 + r.nextInt(r.nextBoolean() ? 16 : 8192));
            ch.writeInbound(new DefaultHttpContent(Unpooled.wrappedBuffer(all, at, n)));
            at += n;
        }

        assertThat(received).hasSize(sent.size());
        for (int i = 0; i < sent.size(); i++) {
            assertThat(received.get(i)).as("record %d", i).isEqualTo(sent.get(i));
        }
        try {
            stream.ended().get();
            throw new AssertionError("the oversized record did not end the stream");
        } catch (ExecutionException e) {
            assertThat(((LocalApiException) e.getCause()).kind()).isEqualTo(Kind.RECORD_TOO_LARGE);
        }
        assertThat(ch.isOpen()).isFalse();
        ch.finishAndReleaseAll();
    }

    /** A record as a line: no newline inside, no carriage return at its end. */
    private static byte[] strip(byte[] record) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte b : record) {
            if (b != '\n') {
                out.write(b);
            }
        }
        byte[] b = out.toByteArray();
        int n = b.length;
        while (n > 0 && (b[n - 1] == '\r' || b[n - 1] == ' ')) {
            n--;
        }
        // a record that is only blanks is an empty line, which the handler skips by design
        return new String(b, 0, n, java.nio.charset.StandardCharsets.ISO_8859_1).isBlank()
                ? new byte[0]
                : Arrays.copyOf(b, n);
    }
}
