package io.derpwatch.agent.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.derpwatch.agent.home.StatusFixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The streaming tree reader gives exactly the tree (and the errors) an ObjectMapper gives. */
class JsonTreeReaderTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final JsonTreeReader reader = new JsonTreeReader();

    static Stream<Path> jsonFixtures() throws IOException {
        try (Stream<Path> files = Files.list(StatusFixtures.tailscaleDir())) {
            List<Path> json =
                    files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
            assertThat(json).isNotEmpty();
            return json.stream();
        }
    }

    @ParameterizedTest
    @MethodSource("jsonFixtures")
    void everyTailscaleFixture_readsToTheTreeAnObjectMapperReads(Path fixture) throws IOException {
        byte[] json = Files.readAllBytes(fixture);

        JsonNode expected = MAPPER.readTree(json);
        JsonNode actual = reader.read(json);

        assertThat(actual).isEqualTo(expected);
        assertThat(actual.toString()).isEqualTo(expected.toString());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "  ",
                "null",
                "42",
                "-3000000000",
                "123456789012345678901234567890",
                "1.5e3",
                "\"text\"",
                "true",
                "[]",
                "{}",
                "[1, [2, [3, {\"a\": null}]], false]",
                "{\"a\": 1, \"a\": 2}",
                "{\"a\": {}} trailing garbage",
                "[1] [2]",
                "{\"nested\": {\"x\": [1.25, -0.0, 9223372036854775807, 9223372036854775808]}}"
            })
    void edgeCases_readAsAnObjectMapperReadsThem(String text) throws IOException {
        byte[] json = text.getBytes(StandardCharsets.UTF_8);

        JsonNode expected = MAPPER.readTree(json);
        JsonNode actual = reader.read(json);

        assertThat(actual).isEqualTo(expected);
        assertThat(actual.getNodeType()).isEqualTo(expected.getNodeType());
        assertThat(actual.toString()).isEqualTo(expected.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"{", "{\"a\":", "[1, 2", "{\"a\" 1}", "nope", "{\"a\": tru}", "[1,]x"})
    void malformedJson_failsWithTheParserErrorAnObjectMapperGives(String text) {
        byte[] json = text.getBytes(StandardCharsets.UTF_8);
        String expected = catchMessage(() -> MAPPER.readTree(json));

        assertThatThrownBy(() -> reader.read(json))
                .isInstanceOf(JsonProcessingException.class)
                .satisfies(e -> assertThat(((JsonProcessingException) e).getOriginalMessage())
                        .isEqualTo(expected));
    }

    private static String catchMessage(ThrowingCall call) {
        try {
            call.run();
        } catch (JsonProcessingException e) {
            return e.getOriginalMessage();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("ObjectMapper accepted it");
    }

    private interface ThrowingCall {
        void run() throws IOException;
    }
}
