package dev.jbpf.cli;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * bpftool's way of writing bytes on a command line: {@code 1 0 0 0} or {@code 0x01 0x00 0 0}
 * (one word a byte, decimal or 0x-hex), or {@code hex 01 00 00 00} / {@code hex 01000000}.
 */
final class ByteWords {
    private ByteWords() {
    }

    static byte[] parse(List<String> words, String what) {
        if (words.isEmpty()) {
            throw new UsageException("missing bytes after '" + what + "'");
        }
        List<Byte> bytes = new ArrayList<>();
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
