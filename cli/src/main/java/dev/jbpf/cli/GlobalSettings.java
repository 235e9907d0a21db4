package dev.jbpf.cli;

import dev.jbpf.GlobalVariable;
import dev.jbpf.GlobalVariables;
import java.util.List;
import java.util.Map;

/**
 * {@code --set NAME=VALUE}: sets global variables of an object before it loads (e.g. a
 * {@code const volatile} pid filter in .rodata). VALUE is read by the variable's BTF type:
 * a number (decimal or 0x-hex) for integers, true/false for bools, text for char arrays, and
 * {@code hex:BYTES} for anything, byte for byte.
 */
final class GlobalSettings {
    private GlobalSettings() {
    }

    static void apply(GlobalVariables globals, Map<String, String> settings) {
        settings.forEach((name, text) -> set(globals, name, text));
    }

    private static void set(GlobalVariables globals, String name, String text) {
        GlobalVariable variable;
        try {
            variable = globals.variable(name);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--set " + name + ": " + e.getMessage());
        }
        if (text.startsWith("hex:")) {
            globals.setBytes(name, ByteWords.parse(List.of("hex", text.substring(4)), "--set " + name));
            return;
        }
        String type = variable.type();
        if (type.contains("bool")) {
            if (!text.equals("true") && !text.equals("false")) {
                throw new UsageException("--set " + name + ": " + type + " takes true or false, not '" + text + "'");
            }
            globals.setBoolean(name, Boolean.parseBoolean(text));
        } else if (type.contains("char") && type.contains("[")) {
            globals.setString(name, text);
        } else {
            long value = number(name, type, text);
            switch (variable.size()) {
                case 1 -> globals.set(name, (byte) value);
                case 2 -> globals.set(name, (short) value);
                case 4 -> globals.set(name, (int) value);
                case 8 -> globals.set(name, value);
                default -> throw new UsageException("--set " + name + ": " + type + " (" + variable.size()
                        + " bytes) takes hex:BYTES");
            }
        }
    }

    private static long number(String name, String type, String text) {
        try {
            boolean negative = text.startsWith("-");
            String digits = negative ? text.substring(1) : text;
            long value = digits.startsWith("0x") ? Long.parseUnsignedLong(digits.substring(2), 16) : Long.parseUnsignedLong(digits);
            return negative ? -value : value;
        } catch (NumberFormatException e) {
            throw new UsageException("--set " + name + ": " + type + " takes a number, not '" + text + "'");
        }
    }
}
