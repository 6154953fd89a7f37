package io.derpwatch.agent.netcheck.stun;

import java.net.InetSocketAddress;

/** A well-formed Binding success response: its transaction id and the address the server saw us at. */
public record StunResponse(TransactionId transactionId, InetSocketAddress mappedAddress) {}
