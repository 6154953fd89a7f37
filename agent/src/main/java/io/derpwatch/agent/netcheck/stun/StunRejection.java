package io.derpwatch.agent.netcheck.stun;

/** Why a datagram was not accepted as the answer to one of our STUN probes (the {@code reason} attribute). */
public enum StunRejection {
    /** Shorter than the 20-byte STUN header. */
    TOO_SHORT("too_short"),
    /** The two leading bits are not zero: not a STUN message. */
    NOT_STUN("not_stun"),
    /** The magic cookie is not 0x2112A442 (or the message is the RFC 3489 form). */
    BAD_COOKIE("bad_cookie"),
    /** The header's message length disagrees with the datagram or is not a multiple of 4. */
    BAD_LENGTH("bad_length"),
    /** Not a Binding success response (an error response, a request, an indication...). */
    WRONG_TYPE("wrong_type"),
    /** An attribute's length runs past the end of the message. */
    TRUNCATED_ATTRIBUTE("truncated_attribute"),
    /** A FINGERPRINT attribute is present and wrong, or not the last attribute. */
    BAD_FINGERPRINT("bad_fingerprint"),
    /** Neither XOR-MAPPED-ADDRESS nor MAPPED-ADDRESS, or one with an unknown family or wrong length. */
    NO_MAPPED_ADDRESS("no_mapped_address"),
    /** The transaction id matches no probe of the running report. */
    UNKNOWN_TRANSACTION("unknown_transaction"),
    /** The transaction id matches a probe, but the reply came from another address than the probe went to. */
    WRONG_SOURCE("wrong_source");

    private final String reason;

    StunRejection(String reason) {
        this.reason = reason;
    }

    /** The value of the {@code reason} attribute on {@code derpwatch.netcheck.stun.rejected}. */
    public String reason() {
        return reason;
    }
}
