package io.derpwatch.agent.localapi;

import io.derpwatch.agent.localapi.LocalApiException.Kind;
import io.netty.channel.unix.Errors;
import java.io.FileNotFoundException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Turns what connecting to or talking over a Unix socket threw into a {@link LocalApiException}.
 *
 * <p>The errno decides where the transport exposes it: epoll's {@code Errors.NativeIoException#expectedErr()}
 * and its messages {@code "connect(..) failed with error(-13): Permission denied"}; epoll reports ENOENT as a
 * bare {@code FileNotFoundException}; the NIO transport throws {@code SocketException}s whose message is
 * {@code strerror}'s text. When neither says, the socket file itself is looked at: absent means
 * {@link Kind#SOCKET_MISSING}, present but not writable by this process means {@link Kind#PERMISSION_DENIED}
 * (connect(2) on a Unix socket needs write permission).
 */
final class SocketErrorClassifier {
    private static final int ENOENT = 2;
    private static final int EACCES = 13;
    private static final int ECONNREFUSED = 111;

    private SocketErrorClassifier() {}

    static LocalApiException classify(Throwable failure, Path socket) {
        if (failure instanceof LocalApiException e) {
            return e;
        }
        Kind kind = fromChain(failure);
        if (kind == null) {
            kind = fromSocketFile(socket);
        }
        return new LocalApiException(kind, socket, describe(kind, failure, socket), failure);
    }

    private static Kind fromChain(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof FileNotFoundException) {
                return Kind.SOCKET_MISSING;
            }
            if (t instanceof Errors.NativeIoException n) {
                Kind k = fromErrno(-n.expectedErr());
                if (k != null) {
                    return k;
                }
            }
            Kind k = fromMessage(t.getMessage());
            if (k != null) {
                return k;
            }
            if (t instanceof ClosedChannelException) {
                return Kind.CONNECTION_CLOSED;
            }
        }
        return null;
    }

    static Kind fromErrno(int errno) {
        return switch (errno) {
            case ENOENT -> Kind.SOCKET_MISSING;
            case EACCES -> Kind.PERMISSION_DENIED;
            case ECONNREFUSED -> Kind.CONNECTION_REFUSED;
            default -> null;
        };
    }

    static Kind fromMessage(String message) {
        if (message == null) {
            return null;
        }
        String m = message.toLowerCase(Locale.ROOT);
        if (m.contains("error(-" + ENOENT + ")") || m.contains("no such file or directory")) {
            return Kind.SOCKET_MISSING;
        }
        if (m.contains("error(-" + EACCES + ")") || m.contains("permission denied")) {
            return Kind.PERMISSION_DENIED;
        }
        if (m.contains("error(-" + ECONNREFUSED + ")") || m.contains("connection refused")) {
            return Kind.CONNECTION_REFUSED;
        }
        if (m.contains("connection reset") || m.contains("broken pipe")) {
            return Kind.CONNECTION_CLOSED;
        }
        return null;
    }

    private static Kind fromSocketFile(Path socket) {
        try {
            if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS) && !Files.exists(socket)) {
                return Kind.SOCKET_MISSING;
            }
            if (!Files.isWritable(socket)) {
                return Kind.PERMISSION_DENIED;
            }
        } catch (SecurityException e) {
            return Kind.PERMISSION_DENIED;
        }
        return Kind.IO;
    }

    private static String describe(Kind kind, Throwable failure, Path socket) {
        String what = switch (kind) {
            case SOCKET_MISSING -> "no LocalAPI socket at " + socket + " (is tailscaled running? is TS_SOCKET right?)";
            case PERMISSION_DENIED ->
                "permission denied connecting to " + socket
                        + " (run as root or as tailscaled's operator user, or mount the socket writable)";
            case CONNECTION_REFUSED -> "nothing listens on " + socket + " (a stale socket: tailscaled stopped?)";
            case CONNECTION_CLOSED -> "tailscaled closed the connection on " + socket;
            default -> "LocalAPI I/O error on " + socket;
        };
        String cause = failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
        return what + ": " + cause;
    }
}
