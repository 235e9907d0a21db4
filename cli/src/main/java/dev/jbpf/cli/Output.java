package dev.jbpf.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.PrintWriter;
import java.util.HexFormat;

/** Formatting shared by the commands: hex bytes as bpftool prints them, and JSON. */
final class Output {
    static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final HexFormat HEX = HexFormat.of();

    /** Made on first use: an ObjectMapper costs ~100 ms in a new JVM, and text output needs none. */
    private static final class Mappers {
        static final ObjectMapper COMPACT = new ObjectMapper();
        static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    }

    private Output() {
    }

    /** bpftool's JSON spelling of each byte value ("0x00".."0xff"), made once: a dump writes millions. */
    private static final com.fasterxml.jackson.core.io.SerializedString[] JSON_BYTES =
            new com.fasterxml.jackson.core.io.SerializedString[256];
    private static final char[] HEX_DIGITS = "0123456789abcdef".toCharArray();

    static {
        for (int b = 0; b < 256; b++) {
            JSON_BYTES[b] = new com.fasterxml.jackson.core.io.SerializedString("0x" + HEX.toHexDigits((byte) b));
        }
    }

    /** Bytes as bpftool's plain output shows them: "8b 0f 00 00". */
    static String hex(byte[] bytes) {
        if (bytes.length == 0) {
            return "";
        }
        char[] text = new char[bytes.length * 3 - 1];
        for (int i = 0, at = 0; i < bytes.length; i++) {
            if (i > 0) {
                text[at++] = ' ';
            }
            text[at++] = HEX_DIGITS[(bytes[i] >> 4) & 0xf];
            text[at++] = HEX_DIGITS[bytes[i] & 0xf];
        }
        return new String(text);
    }

    /** Bytes as bpftool's JSON shows them: ["0x8b","0x0f","0x00","0x00"]. */
    static ArrayNode hexArray(byte[] bytes) {
        ArrayNode array = JSON.arrayNode(bytes.length);
        for (byte b : bytes) {
            array.add(JSON_BYTES[b & 0xff].getValue());
        }
        return array;
    }

    /** {@link #hexArray} written straight to a generator, with no tree. */
    static void writeHexArray(com.fasterxml.jackson.core.JsonGenerator generator, byte[] bytes) throws java.io.IOException {
        generator.writeStartArray(bytes, bytes.length);
        for (byte b : bytes) {
            generator.writeString(JSON_BYTES[b & 0xff]);
        }
        generator.writeEndArray();
    }

    /** Plain Java data (maps, lists, strings, numbers, booleans) written to a generator as JSON, with no tree. */
    static void writePlain(com.fasterxml.jackson.core.JsonGenerator generator, Object value) throws java.io.IOException {
        Mappers.COMPACT.writeValue(generator, value);
    }

    /** Plain Java data as one line of compact JSON (what {@code tree(value).toString()} prints). */
    static String plainJson(Object value) {
        try {
            return Mappers.COMPACT.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
        }
    }

    /** Plain Java data (maps, lists, strings, numbers, booleans) as a JSON tree. */
    static com.fasterxml.jackson.databind.JsonNode tree(Object value) {
        return Mappers.COMPACT.valueToTree(value);
    }

    static ObjectNode object() {
        return JSON.objectNode();
    }

    static ArrayNode array() {
        return JSON.arrayNode();
    }

    /**
     * A JSON array written as its elements come (a streaming generator, not a tree): printing a
     * million map entries holds one entry at a time. The bytes equal {@link #printJson} of the
     * whole array, compact or indented.
     */
    static final class JsonArrayWriter implements AutoCloseable {
        private final PrintWriter out;
        private final ObjectMapper mapper;
        private final com.fasterxml.jackson.core.JsonGenerator generator;

        JsonArrayWriter(PrintWriter out, CommonOptions options) {
            this.out = out;
            this.mapper = options.pretty ? Mappers.PRETTY : Mappers.COMPACT;
            try {
                generator = mapper.createGenerator(out).disable(com.fasterxml.jackson.core.JsonGenerator.Feature.AUTO_CLOSE_TARGET);
                if (options.pretty) {
                    generator.setPrettyPrinter(new com.fasterxml.jackson.core.util.DefaultPrettyPrinter());
                }
                generator.writeStartArray();
            } catch (java.io.IOException e) {
                throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
            }
        }

        void add(com.fasterxml.jackson.databind.JsonNode element) {
            try {
                mapper.writeTree(generator, element);
            } catch (java.io.IOException e) {
                throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
            }
        }

        /** One element written by the caller straight to the generator: no tree, for the hot loops. */
        void add(ElementWriter element) {
            try {
                element.write(generator);
            } catch (java.io.IOException e) {
                throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
            }
        }

        /** Ends the array and the line. */
        @Override
        public void close() {
            try {
                generator.writeEndArray();
                generator.close();
            } catch (java.io.IOException e) {
                throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
            }
            out.println();
            out.flush();
        }
    }

    /** Writes one array element with a {@link com.fasterxml.jackson.core.JsonGenerator}. */
    @FunctionalInterface
    interface ElementWriter {
        void write(com.fasterxml.jackson.core.JsonGenerator generator) throws java.io.IOException;
    }

    /** One JSON value written by {@code value} straight to a generator (no tree), then a line end. */
    static void printJson(PrintWriter out, CommonOptions options, ElementWriter value) {
        ObjectMapper mapper = options.pretty ? Mappers.PRETTY : Mappers.COMPACT;
        try (com.fasterxml.jackson.core.JsonGenerator generator = mapper.createGenerator(out)
                .disable(com.fasterxml.jackson.core.JsonGenerator.Feature.AUTO_CLOSE_TARGET)) {
            if (options.pretty) {
                generator.setPrettyPrinter(new com.fasterxml.jackson.core.util.DefaultPrettyPrinter());
            }
            value.write(generator);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
        }
        out.println();
        out.flush();
    }

    static void printJson(PrintWriter out, Object node, CommonOptions options) {
        try {
            out.println((options.pretty ? Mappers.PRETTY : Mappers.COMPACT).writeValueAsString(node));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
        }
        out.flush();
    }
}
