package io.derpwatch.lab;

import java.nio.charset.StandardCharsets;

/**
 * What one of the emulator's route handlers answers: a JSON or text body with a status, or nothing (the request
 * is held open). {@link LocalApiHandler} writes it.
 */
record LabAnswer(int status, String contentType, byte[] body, boolean held) {
    static final String JSON = "application/json";
    static final String TEXT = "text/plain; charset=utf-8";

    static LabAnswer json(byte[] body) {
        return new LabAnswer(200, JSON, body, false);
    }

    static LabAnswer text(int status, String message) {
        return new LabAnswer(status, TEXT, (message + "\n").getBytes(StandardCharsets.UTF_8), false);
    }

    static LabAnswer body(int status, String contentType, byte[] body) {
        return new LabAnswer(status, contentType, body, false);
    }

    static LabAnswer holding() {
        return new LabAnswer(0, "", new byte[0], true);
    }
}
