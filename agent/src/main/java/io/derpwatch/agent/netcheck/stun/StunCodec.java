package io.derpwatch.agent.netcheck.stun;

import io.netty.buffer.ByteBuf;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.zip.CRC32;

/**
 * Encodes RFC 5389 Binding requests (with FINGERPRINT) and strictly decodes Binding success responses.
 * Decoding never throws on bad input: it returns a {@link StunRejection} saying what was wrong, and allocates
 * nothing for a rejected datagram beyond a transient CRC32 state.
 */
public final class StunCodec {
    static final int HEADER_LENGTH = 20;
    static final int MAGIC_COOKIE = 0x2112A442;
    static final int BINDING_REQUEST = 0x0001;
    static final int BINDING_SUCCESS = 0x0101;
    static final int ATTR_MAPPED_ADDRESS = 0x0001;
    static final int ATTR_XOR_MAPPED_ADDRESS = 0x0020;
    /** The pre-RFC 5389 code point some servers still send; tailscale accepts it too. */
    static final int ATTR_XOR_MAPPED_ADDRESS_ALT = 0x8020;

    static final int ATTR_FINGERPRINT = 0x8028;
    static final int FINGERPRINT_XOR = 0x5354554E;
    private static final int FAMILY_IPV4 = 0x01;
    private static final int FAMILY_IPV6 = 0x02;

    private StunCodec() {}

    /** Writes a Binding request for {@code tx}: the header and a FINGERPRINT attribute (28 bytes). */
    public static void writeBindingRequest(TransactionId tx, ByteBuf out) {
        int start = out.writerIndex();
        out.writeShort(BINDING_REQUEST).writeShort(8).writeInt(MAGIC_COOKIE);
        tx.write(out);
        int crc = crc(out, start, HEADER_LENGTH);
        out.writeShort(ATTR_FINGERPRINT).writeShort(4).writeInt(crc ^ FINGERPRINT_XOR);
    }

    /**
     * Writes a Binding success response for {@code tx} carrying {@code mapped} as XOR-MAPPED-ADDRESS, with a
     * FINGERPRINT: what a STUN server answers (the prober's warm-up responder and lab peers use it).
     */
    public static void writeBindingSuccess(TransactionId tx, InetSocketAddress mapped, ByteBuf out) {
        byte[] ip = mapped.getAddress().getAddress();
        int start = out.writerIndex();
        out.writeShort(BINDING_SUCCESS).writeShort(4 + 4 + ip.length + 8).writeInt(MAGIC_COOKIE);
        tx.write(out);
        out.writeShort(ATTR_XOR_MAPPED_ADDRESS).writeShort(4 + ip.length);
        out.writeByte(0)
                .writeByte(ip.length == 4 ? FAMILY_IPV4 : FAMILY_IPV6)
                .writeShort(mapped.getPort() ^ (MAGIC_COOKIE >>> 16));
        for (int i = 0; i < ip.length; i++) {
            out.writeByte(ip[i] ^ out.getByte(start + 4 + i));
        }
        int crc = crc(out, start, out.writerIndex() - start);
        out.writeShort(ATTR_FINGERPRINT).writeShort(4).writeInt(crc ^ FINGERPRINT_XOR);
    }

    /** The transaction id of a datagram that is at least a STUN header long, else null. */
    public static TransactionId transactionId(ByteBuf in) {
        return in.readableBytes() < HEADER_LENGTH ? null : TransactionId.read(in, in.readerIndex() + 8);
    }

    /**
     * Decodes {@code in} (readable bytes from reader index) as a Binding success response. Returns a
     * {@link StunResponse} or a {@link StunRejection}; does not move the reader index and never throws.
     */
    public static Object decode(ByteBuf in) {
        int base = in.readerIndex();
        int size = in.readableBytes();
        if (size < HEADER_LENGTH) {
            return StunRejection.TOO_SHORT;
        }
        int type = in.getUnsignedShort(base);
        if ((type & 0xC000) != 0) {
            return StunRejection.NOT_STUN;
        }
        if (in.getInt(base + 4) != MAGIC_COOKIE) {
            return StunRejection.BAD_COOKIE;
        }
        int length = in.getUnsignedShort(base + 2);
        if ((length & 3) != 0 || length != size - HEADER_LENGTH) {
            return StunRejection.BAD_LENGTH;
        }
        if (type != BINDING_SUCCESS) {
            return StunRejection.WRONG_TYPE;
        }
        int xorAt = -1;
        int xorLength = 0;
        int plainAt = -1;
        int plainLength = 0;
        int pos = base + HEADER_LENGTH;
        int end = base + size;
        while (pos < end) {
            if (end - pos < 4) {
                return StunRejection.TRUNCATED_ATTRIBUTE;
            }
            int attrType = in.getUnsignedShort(pos);
            int attrLength = in.getUnsignedShort(pos + 2);
            int valueAt = pos + 4;
            int padded = (attrLength + 3) & ~3;
            if (padded > end - valueAt) {
                return StunRejection.TRUNCATED_ATTRIBUTE;
            }
            if (attrType == ATTR_FINGERPRINT) {
                if (attrLength != 4 || valueAt + 4 != end) {
                    return StunRejection.BAD_FINGERPRINT;
                }
                int expected = crc(in, base, pos - base) ^ FINGERPRINT_XOR;
                if (in.getInt(valueAt) != expected) {
                    return StunRejection.BAD_FINGERPRINT;
                }
            } else if ((attrType == ATTR_XOR_MAPPED_ADDRESS || attrType == ATTR_XOR_MAPPED_ADDRESS_ALT) && xorAt < 0) {
                xorAt = valueAt;
                xorLength = attrLength;
            } else if (attrType == ATTR_MAPPED_ADDRESS && plainAt < 0) {
                plainAt = valueAt;
                plainLength = attrLength;
            }
            pos = valueAt + padded;
        }
        InetSocketAddress mapped = null;
        if (xorAt >= 0) {
            mapped = address(in, base, xorAt, xorLength, true);
        }
        if (mapped == null && plainAt >= 0) {
            mapped = address(in, base, plainAt, plainLength, false);
        }
        if (mapped == null) {
            return StunRejection.NO_MAPPED_ADDRESS;
        }
        return new StunResponse(TransactionId.read(in, base + 8), mapped);
    }

    private static InetSocketAddress address(ByteBuf in, int base, int at, int length, boolean xor) {
        if (length < 4) {
            return null;
        }
        int family = in.getUnsignedByte(at + 1);
        int addressLength = family == FAMILY_IPV4 ? 4 : family == FAMILY_IPV6 ? 16 : -1;
        if (addressLength < 0 || length != 4 + addressLength) {
            return null;
        }
        int port = in.getUnsignedShort(at + 2);
        byte[] ip = new byte[addressLength];
        in.getBytes(at + 4, ip);
        if (xor) {
            port ^= MAGIC_COOKIE >>> 16;
            // XOR key: the magic cookie followed by the transaction id (header bytes 4..20)
            for (int i = 0; i < addressLength; i++) {
                ip[i] ^= in.getByte(base + 4 + i);
            }
        }
        try {
            return new InetSocketAddress(InetAddress.getByAddress(ip), port);
        } catch (UnknownHostException e) {
            return null; // unreachable: the length is 4 or 16
        }
    }

    private static int crc(ByteBuf buf, int index, int length) {
        CRC32 crc = new CRC32();
        crc.update(buf.nioBuffer(index, length));
        return (int) crc.getValue();
    }
}
