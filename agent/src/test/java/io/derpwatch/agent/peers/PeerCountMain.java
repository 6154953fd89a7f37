package io.derpwatch.agent.peers;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Child process of {@link PeerStatusCodecTest}: reads a status document whole (as the LocalAPI client hands it
 * over) and counts its peers, in whatever heap the test starts it with. Prints the counts on stdout.
 */
public final class PeerCountMain {
    private PeerCountMain() {}

    public static void main(String[] args) throws Exception {
        byte[] body = Files.readAllBytes(Path.of(args[0]));
        PeerPathTracker tracker = new PeerPathTracker(java.time.Duration.ofMinutes(5));
        tracker.begin(java.time.Instant.EPOCH);
        PeerCounts c = new PeerStatusCodec(Integer.parseInt(args[1])).parse(body, tracker::accept);
        tracker.finish();
        System.out.println("bytes=" + body.length + " direct=" + c.count(PeerPath.DIRECT) + " derp="
                + c.count(PeerPath.DERP) + " peer_relay=" + c.count(PeerPath.PEER_RELAY) + " idle="
                + c.count(PeerPath.IDLE) + " online=" + c.online() + " entries="
                + c.entries().size() + " tracked="
                + tracker.size());
    }
}
