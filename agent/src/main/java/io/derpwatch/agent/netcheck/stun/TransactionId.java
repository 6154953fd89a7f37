package io.derpwatch.agent.netcheck.stun;

import io.netty.buffer.ByteBuf;
import java.security.SecureRandom;
import java.util.Random;

/** A 96-bit STUN transaction id (RFC 5389 section 6). */
public record TransactionId(long high, int low) {
    private static final Random RANDOM = new SecureRandom();

    /** A fresh random id from a cryptographic generator, so an off-path sender cannot guess it. */
    public static TransactionId random() {
        synchronized (RANDOM) {
            return new TransactionId(RANDOM.nextLong(), RANDOM.nextInt());
        }
    }

    static TransactionId read(ByteBuf buf, int index) {
        return new TransactionId(buf.getLong(index), buf.getInt(index + 8));
    }

    void write(ByteBuf buf) {
        buf.writeLong(high).writeInt(low);
    }

    @Override
    public String toString() {
        return String.format("%016x%08x", high, low);
    }
}
