package dev.jbpf.cli;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * bpftool's way of writing bytes on a command line: {@code 1 0 0 0} or {@code 0x01 0x00 0 0}
 * (one word a byte, decimal or 0x-hex), or {@code hex 01 00 00 00} / {@code hex 01000000};
 * and a JSON array of bytes as {@code -j} prints them: {@code '["0x01","0x00",0,0]'}.
 */
final class ByteWords {
    private ByteWords() {
    }

    static byte[] parse(List<String> words, String what) {
        if (words.isEmpty()) {
            throw new UsageException("missing bytes after '" + what + "'");
        }
        List<Byte> bytes = new ArrayList<>();
        if (words.size() == 1 && (words.get(0).strip().startsWith("[") || words.get(0).strip().startsWith("{"))) {
            return parseJson(words.get(0), what);
        }
        if (words.get(0).equals("hex")) {
            String digits = String.join("", words.subList(1, words.size()));
            if (digits.isEmpty() || digits.length() % 2 != 0 || !digits.matches("[0-9a-fA-F]+")) {
                throw new UsageException(what + ": 'hex' needs an even number of hex digits, got '" + digits + "'");
            }
            return HexFormat.of().parseHex(digits);
        }
        for (String word : words) {
            int value;
            try {
                value = word.startsWith("0x") || word.startsWith("0X") ? Integer.parseInt(word.substring(2), 16)
                        : Integer.parseInt(word);
            } catch (NumberFormatException e) {
                throw new UsageException(what + ": '" + word + "' is not a byte (decimal, 0x-hex, or 'hex' followed by digits)");
            }
            if (value < 0 || value > 255) {
                throw new UsageException(what + ": " + word + " does not fit in a byte");
            }
            bytes.add((byte) value);
        }
        byte[] result = new byte[bytes.size()];
        for (int i = 0; i < result.length; i++) {
            result[i] = bytes.get(i);
        }
        return result;
    }

    /** A JSON array of bytes: numbers 0..255, or strings of one byte each ("0x2a", "42"). */
    private static byte[] parseJson(String text, String what) {
        com.fasterxml.jackson.databind.JsonNode array;
        try {
            array = new com.fasterxml.jackson.databind.ObjectMapper().readTree(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UsageException(what + ": not a JSON array of bytes: " + Main.firstLine(e.getOriginalMessage()));
        }
        if (array == null || !array.isArray() || array.isEmpty()) {
            throw new UsageException(what + ": expected a non-empty JSON array of bytes, like [\"0x01\",\"0x00\"] or [1,0]");
        }
        byte[] bytes = new byte[array.size()];
        for (int i = 0; i < bytes.length; i++) {
            com.fasterxml.jackson.databind.JsonNode element = array.get(i);
            if (element.isTextual()) {
                bytes[i] = parse(List.of(element.asText()), what + " element " + i)[0];
            } else if (element.isIntegralNumber() && element.canConvertToInt() && element.asInt() >= 0 && element.asInt() <= 255) {
                bytes[i] = (byte) element.asInt();
            } else {
                throw new UsageException(what + ": JSON element " + i + " (" + element + ") is not a byte (0..255)");
            }
        }
        return bytes;
    }

    /**
     * Splits "WORDS... key BYTES... value BYTES..." at the given keywords: the words before the
     * first keyword, then each keyword's bytes.
     */
    static List<List<String>> split(List<String> words, String... keywords) {
        List<List<String>> parts = new ArrayList<>();
        List<String> current = new ArrayList<>();
        int next = 0;
        for (String word : words) {
            if (next < keywords.length && word.equals(keywords[next])) {
                parts.add(current);
                current = new ArrayList<>();
                next++;
            } else {
                current.add(word);
            }
        }
        parts.add(current);
        if (next < keywords.length) {
            throw new UsageException("missing '" + keywords[next] + "'");
        }
        return parts;
    }
}
