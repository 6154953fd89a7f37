package io.derpwatch.lab;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The emulator's {@code POST /localapi/v0/ping?ip=...&type=disco}: answers tailscaled's way. Each target IP
 * has a script of answers, used in turn (the last repeats): a pong {@link #direct direct}, through
 * {@link #derp DERP}, through a {@link #peerRelay peer relay}, or {@link #timeout no answer} (the request is
 * held until the client gives up, as tailscaled holds it until the ping's context ends). An IP without a script
 * gets tailscaled's {@code "no matching peer"} answer. {@code GET} is {@code 405 want POST}; a missing
 * {@code ip} or {@code type} is 400, as in {@code ipn/localapi}.
 */
public final class LabPing {
    /** One scripted answer; build with the static factories. */
    public record Answer(
            String kind, String nodeName, String endpoint, int regionId, String regionCode, double seconds) {}

    private final ObjectMapper mapper = new ObjectMapper();
    private final Map<String, List<Answer>> scripts = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> turns = new ConcurrentHashMap<>();

    LabPing() {}

    public static Answer direct(String nodeName, String endpoint, double seconds) {
        return new Answer("direct", nodeName, endpoint, 0, "", seconds);
    }

    public static Answer derp(String nodeName, int regionId, String regionCode, double seconds) {
        return new Answer("derp", nodeName, "", regionId, regionCode, seconds);
    }

    public static Answer peerRelay(String nodeName, String relay, double seconds) {
        return new Answer("peer_relay", nodeName, relay, 0, "", seconds);
    }

    public static Answer timeout() {
        return new Answer("timeout", "", "", 0, "", 0);
    }

    /** Answers pings to {@code ip} with {@code answers} in turn, the last one repeating. */
    public void script(String ip, Answer... answers) {
        if (answers.length == 0) {
            scripts.remove(ip);
        } else {
            scripts.put(ip, List.of(answers));
        }
        turns.remove(ip);
    }

    /** The answer to one ping request; null means hold the request unanswered. */
    LabAnswer answer(String method, String ip, String type) {
        if (!method.equals("POST")) {
            return LabAnswer.text(405, "want POST");
        }
        if (ip.isEmpty()) {
            return LabAnswer.text(400, "missing 'ip' parameter");
        }
        if (type.isEmpty()) {
            return LabAnswer.text(400, "missing 'type' parameter");
        }
        ObjectNode r = mapper.createObjectNode();
        r.put("IP", ip);
        List<Answer> script = scripts.get(ip);
        if (script == null) {
            r.put("Err", "no matching peer");
            r.put("LatencySeconds", 0);
            return LabAnswer.json(bytes(r));
        }
        int turn = turns.computeIfAbsent(ip, k -> new AtomicInteger()).getAndIncrement();
        Answer a = script.get(Math.min(turn, script.size() - 1));
        if (a.kind().equals("timeout")) {
            return LabAnswer.holding();
        }
        r.put("NodeIP", ip);
        r.put("NodeName", a.nodeName());
        r.put("LatencySeconds", a.seconds());
        switch (a.kind()) {
            case "direct" -> r.put("Endpoint", a.endpoint());
            case "peer_relay" -> r.put("PeerRelay", a.endpoint());
            default -> {
                r.put("DERPRegionID", a.regionId());
                r.put("DERPRegionCode", a.regionCode());
            }
        }
        r.put("PeerAPIPort", 0);
        return LabAnswer.json(bytes(r));
    }

    private byte[] bytes(ObjectNode n) {
        try {
            return (mapper.writeValueAsString(n) + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
