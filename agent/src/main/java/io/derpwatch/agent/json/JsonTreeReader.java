package io.derpwatch.agent.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayDeque;

/**
 * Reads a JSON document into a Jackson {@link JsonNode} tree with the streaming parser alone, giving the same
 * tree as {@code new ObjectMapper().readTree(bytes)} (the same node types, last duplicate key wins, trailing
 * content ignored, {@link MissingNode} for an empty document, the parser's own {@code JsonProcessingException}
 * for malformed input). It exists for the agent's footprint: an {@code ObjectMapper} loads ~350 data-binding
 * classes the agent never uses (about 4 MiB of RSS, docs/benchmarks.md). Iterative, so nesting depth is bounded by
 * the parser's limit, not by the (small) thread stack.
 */
public final class JsonTreeReader {
    private static final JsonFactory FACTORY = new JsonFactory();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** Parses the first JSON value in {@code json}. */
    public JsonNode read(byte[] json) throws IOException {
        try (JsonParser p = FACTORY.createParser(json)) {
            ArrayDeque<JsonNode> open = new ArrayDeque<>();
            String name = null;
            for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                JsonNode node;
                switch (t) {
                    case FIELD_NAME -> {
                        name = p.currentName();
                        continue;
                    }
                    case END_OBJECT, END_ARRAY -> {
                        JsonNode closed = open.pop();
                        if (open.isEmpty()) {
                            return closed;
                        }
                        continue;
                    }
                    case START_OBJECT -> node = NODES.objectNode();
                    case START_ARRAY -> node = NODES.arrayNode();
                    case VALUE_STRING -> node = NODES.textNode(p.getText());
                    case VALUE_NUMBER_INT ->
                        node = switch (p.getNumberType()) {
                            case INT -> NODES.numberNode(p.getIntValue());
                            case LONG -> NODES.numberNode(p.getLongValue());
                            default -> NODES.numberNode(p.getBigIntegerValue());
                        };
                    case VALUE_NUMBER_FLOAT -> node = NODES.numberNode(p.getDoubleValue());
                    case VALUE_TRUE -> node = NODES.booleanNode(true);
                    case VALUE_FALSE -> node = NODES.booleanNode(false);
                    case VALUE_NULL -> node = NODES.nullNode();
                    default -> throw new IOException("unexpected JSON token " + t);
                }
                JsonNode parent = open.peek();
                if (parent == null && !node.isContainerNode()) {
                    return node;
                }
                if (parent instanceof ObjectNode o) {
                    o.replace(name, node);
                } else if (parent instanceof ArrayNode a) {
                    a.add(node);
                }
                if (node.isContainerNode()) {
                    open.push(node);
                }
            }
            return MissingNode.getInstance();
        }
    }
}
