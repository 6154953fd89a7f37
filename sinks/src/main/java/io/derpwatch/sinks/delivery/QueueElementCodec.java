package io.derpwatch.sinks.delivery;

import io.derpwatch.sinks.Batch;
import io.derpwatch.sinks.Signal;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * One persistent queue element. Version 2 (written): version byte (2), signal ordinal byte, accepted-at (long,
 * epoch millis), CRC-32 of everything after it (int), key length (int, -1 for none), key (UTF-8), payload.
 * Version 1 (read, from older runs): version byte (1), signal ordinal byte, key length, key, payload.
 */
final class QueueElementCodec {
    private static final byte V1 = 1;
    private static final byte V2 = 2;
    private static final int V2_FIXED = 1 + 1 + 8 + 4 + 4;

    private QueueElementCodec() {}

    static byte[] encode(Batch batch, long acceptedAtMillis) {
        byte[] key = batch.key() == null ? null : batch.key().getBytes(StandardCharsets.UTF_8);
        byte[] payload = batch.payload() == null ? new byte[0] : batch.payload();
        ByteBuffer buf = ByteBuffer.allocate(V2_FIXED + (key == null ? 0 : key.length) + payload.length);
        buf.put(V2)
                .put((byte) batch.signal().ordinal())
                .putLong(acceptedAtMillis)
                .putInt(0);
        buf.putInt(key == null ? -1 : key.length);
        if (key != null) {
            buf.put(key);
        }
        buf.put(payload);
        byte[] element = buf.array();
        ByteBuffer.wrap(element).putInt(10, crc(element));
        return element;
    }

    private static int crc(byte[] element) {
        CRC32 crc = new CRC32();
        crc.update(element, V2_FIXED - 4, element.length - (V2_FIXED - 4));
        return (int) crc.getValue();
    }

    /** True when {@code element} decodes as a batch (and, for version 2, its CRC matches). */
    static boolean valid(byte[] element) {
        try {
            decode(element);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** When the element's batch was accepted (epoch millis), or {@code unknown} for a version-1 element. */
    static long acceptedAt(byte[] element, long unknown) {
        return element.length >= V2_FIXED && element[0] == V2
                ? ByteBuffer.wrap(element).getLong(2)
                : unknown;
    }

    static Batch decode(byte[] element) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(element);
        byte version = element.length < 6 ? 0 : buf.get();
        if (version == V2) {
            if (element.length < V2_FIXED) {
                throw new IOException("queue element too short");
            }
            if (buf.getInt(10) != crc(element)) {
                throw new IOException("queue element fails its CRC check");
            }
        } else if (version != V1) {
            throw new IOException("unknown queue element format");
        }
        int signal = buf.get();
        if (signal < 0 || signal >= Signal.values().length) {
            throw new IOException("unknown signal " + signal + " in queue element");
        }
        if (version == V2) {
            buf.position(V2_FIXED - 4);
        }
        int keyLength = buf.getInt();
        if (keyLength < -1 || keyLength > buf.remaining()) {
            throw new IOException("bad key length " + keyLength + " in queue element");
        }
        String key = null;
        if (keyLength >= 0) {
            byte[] k = new byte[keyLength];
            buf.get(k);
            key = new String(k, StandardCharsets.UTF_8);
        }
        byte[] payload = new byte[buf.remaining()];
        buf.get(payload);
        return Batch.encoded(Signal.values()[signal], key, payload);
    }
}
