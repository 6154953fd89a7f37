package io.derpwatch.agent.netcheck.stun;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

class StunCodecTest {
    /** A Binding success response coturn 4.6.1 sent to a client at 127.0.0.1:43579 (captured on this machine). */
    private static final String COTURN_RESPONSE = "010100482112a4424a7192001a7f19358dcf592e0020000800018b295e12a443"
            + "000100080001aa3b7f000001802b0008000187dc7f000002802c0008000187dd7f00000380220014436f7475726e2d"
            + "342e362e312027476f72737427";

    @Test
    void bindingRequest_hasHeaderTransactionIdAndValidFingerprint() {
        TransactionId tx = new TransactionId(0x0102030405060708L, 0x090a0b0c);
        ByteBuf buf = Unpooled.buffer();
        StunCodec.writeBindingRequest(tx, buf);

        assertThat(buf.readableBytes()).isEqualTo(28);
        assertThat(buf.getUnsignedShort(0)).isEqualTo(0x0001);
        assertThat(buf.getUnsignedShort(2)).isEqualTo(8);
        assertThat(buf.getInt(4)).isEqualTo(0x2112A442);
        assertThat(TransactionId.read(buf, 8)).isEqualTo(tx);
        assertThat(buf.getUnsignedShort(20)).isEqualTo(0x8028);
        assertThat(buf.getUnsignedShort(22)).isEqualTo(4);
        CRC32 crc = new CRC32();
        crc.update(ByteBufUtil.getBytes(buf, 0, 20));
        assertThat(buf.getInt(24)).isEqualTo((int) crc.getValue() ^ 0x5354554E);
    }

    @Test
    void bindingSuccess_roundTripsThroughTheDecoder_forBothFamilies() {
        TransactionId tx = TransactionId.random();
        for (InetSocketAddress mapped :
                List.of(new InetSocketAddress("198.51.100.7", 41641), new InetSocketAddress("2001:db8::7", 3478))) {
            ByteBuf b = Unpooled.buffer();
            StunCodec.writeBindingSuccess(tx, mapped, b);

            assertThat(StunCodec.transactionId(b)).isEqualTo(tx);
            assertThat(StunCodec.decode(b)).isEqualTo(new StunResponse(tx, mapped));
        }
    }

    @Test
    void randomTransactionIds_differ() {
        assertThat(TransactionId.random()).isNotEqualTo(TransactionId.random());
    }

    @Test
    void coturnResponse_decodesXorMappedAddress() {
        Object decoded = StunCodec.decode(Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump(COTURN_RESPONSE)));

        assertThat(decoded).isInstanceOf(StunResponse.class);
        StunResponse r = (StunResponse) decoded;
        assertThat(r.mappedAddress()).isEqualTo(new InetSocketAddress("127.0.0.1", 43_579));
        assertThat(r.transactionId().toString()).isEqualTo("4a7192001a7f19358dcf592e");
    }

    @Test
    void responseWithOnlyMappedAddress_usesIt() {
        ByteBuf b = response(0x0101, 0x2112A442, attr(0x0001, new byte[] {0, 1, 0x0d, 0x05, 10, 0, 0, 7}));
        StunResponse r = (StunResponse) StunCodec.decode(b);
        assertThat(r.mappedAddress()).isEqualTo(new InetSocketAddress("10.0.0.7", 0x0d05));
    }

    @Test
    void ipv6XorMappedAddress_isUnmaskedWithCookieAndTransactionId() {
        byte[] ip = new byte[16];
        ip[0] = 0x20;
        ip[1] = 0x01;
        ip[15] = 0x01;
        byte[] value = new byte[20];
        value[1] = 2;
        int port = 41_641 ^ 0x2112;
        value[2] = (byte) (port >> 8);
        value[3] = (byte) port;
        byte[] key = ByteBufUtil.decodeHexDump("2112a442" + "000102030405060708090a0b");
        for (int i = 0; i < 16; i++) {
            value[4 + i] = (byte) (ip[i] ^ key[i]);
        }
        ByteBuf b = response(0x0101, 0x2112A442, attr(0x0020, value));
        StunResponse r = (StunResponse) StunCodec.decode(b);
        assertThat(r.mappedAddress()).isEqualTo(new InetSocketAddress("2001::1", 41_641));
    }

    @Test
    void garbage_isRejectedWithItsReason() {
        byte[] xor = {0, 1, 0x0d, 0x05, 1, 2, 3, 4};
        assertThat(StunCodec.decode(Unpooled.wrappedBuffer(new byte[19]))).isEqualTo(StunRejection.TOO_SHORT);
        assertThat(StunCodec.decode(response(0xC101, 0x2112A442, attr(0x20, xor))))
                .isEqualTo(StunRejection.NOT_STUN);
        assertThat(StunCodec.decode(response(0x0101, 0x12345678, attr(0x20, xor))))
                .isEqualTo(StunRejection.BAD_COOKIE);
        assertThat(StunCodec.decode(response(0x0111, 0x2112A442, attr(0x20, xor))))
                .isEqualTo(StunRejection.WRONG_TYPE);
        assertThat(StunCodec.decode(response(0x0101, 0x2112A442, attr(0x8022, new byte[] {1, 2, 3, 4}))))
                .isEqualTo(StunRejection.NO_MAPPED_ADDRESS);
        assertThat(StunCodec.decode(response(0x0101, 0x2112A442, attr(0x20, new byte[] {0, 9, 0, 1, 1, 2, 3, 4}))))
                .isEqualTo(StunRejection.NO_MAPPED_ADDRESS);
    }

    @Test
    void attributeLongerThanMessage_isTruncated() {
        ByteBuf b = response(0x0101, 0x2112A442, attr(0x20, new byte[] {0, 1, 0x0d, 0x05, 1, 2, 3, 4}));
        b.setShort(22, 12); // claims 12 value bytes, only 8 present
        assertThat(StunCodec.decode(b)).isEqualTo(StunRejection.TRUNCATED_ATTRIBUTE);
    }

    @Test
    void lengthDisagreeingWithDatagram_isBadLength() {
        ByteBuf b = response(0x0101, 0x2112A442, attr(0x20, new byte[] {0, 1, 0x0d, 0x05, 1, 2, 3, 4}));
        b.writeByte(0);
        assertThat(StunCodec.decode(b)).isEqualTo(StunRejection.BAD_LENGTH);
    }

    @Test
    void wrongFingerprint_isRejected_andRightOneAccepted() {
        byte[] xor = {0, 1, 0x0d, 0x05, 1, 2, 3, 4};
        ByteBuf good = response(0x0101, 0x2112A442, attr(0x20, xor));
        good.setShort(2, good.getUnsignedShort(2) + 8);
        CRC32 crc = new CRC32();
        crc.update(ByteBufUtil.getBytes(good));
        good.writeShort(0x8028).writeShort(4).writeInt((int) crc.getValue() ^ 0x5354554E);
        assertThat(StunCodec.decode(good)).isInstanceOf(StunResponse.class);

        good.setInt(good.writerIndex() - 4, 0xdeadbeef);
        assertThat(StunCodec.decode(good)).isEqualTo(StunRejection.BAD_FINGERPRINT);
    }

    @Test
    void decode_doesNotMoveReaderIndex() {
        ByteBuf b = Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump(COTURN_RESPONSE));
        StunCodec.decode(b);
        assertThat(b.readerIndex()).isZero();
    }

    @Test
    void rejectingGarbage_allocatesAlmostNothing() {
        java.util.Random random = new java.util.Random(42);
        List<ByteBuf> garbage = new java.util.ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            byte[] attrs = new byte[4 * random.nextInt(20)];
            random.nextBytes(attrs);
            ByteBuf b = response(0x0101, 0x2112A442, attrs); // a valid header, random attributes
            if (i % 3 == 0) {
                b.setShort(2, b.getUnsignedShort(2) + 4); // and some with a lying length
            }
            garbage.add(b);
        }
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        for (ByteBuf b : garbage) {
            StunCodec.decode(b); // warm up
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        int rejected = 0;
        for (int round = 0; round < 50; round++) {
            for (ByteBuf b : garbage) {
                if (StunCodec.decode(b) instanceof StunRejection) {
                    rejected++;
                }
            }
        }
        long perDecode = (threads.getCurrentThreadAllocatedBytes() - before) / (50L * garbage.size());

        assertThat(rejected).isGreaterThan(40_000);
        assertThat(perDecode).as("bytes allocated per garbage datagram").isLessThan(64);
    }

    static ByteBuf response(int type, int cookie, byte[] attributes) {
        ByteBuf b = Unpooled.buffer();
        b.writeShort(type).writeShort(attributes.length).writeInt(cookie);
        b.writeBytes(ByteBufUtil.decodeHexDump("000102030405060708090a0b"));
        b.writeBytes(attributes);
        return b;
    }

    static byte[] attr(int type, byte[] value) {
        int padded = (value.length + 3) & ~3;
        ByteBuf b = Unpooled.buffer();
        b.writeShort(type).writeShort(value.length).writeBytes(value).writeZero(padded - value.length);
        return ByteBufUtil.getBytes(b);
    }
}
