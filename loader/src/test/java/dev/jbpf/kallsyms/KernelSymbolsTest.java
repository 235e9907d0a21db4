package dev.jbpf.kallsyms;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jbpf.testing.UnitTest;
import java.util.List;
import org.junit.jupiter.api.Test;

/** kallsyms parsing (moved out of the profiler's FlameGraphTest: KernelSymbols is the library's): plain Java, no kernel needed. */
@UnitTest
class KernelSymbolsTest {

    @Test
    void kernelSymbolsNameTheFunctionContainingAnAddress() {
        KernelSymbols symbols = KernelSymbols.parse(List.of(
                "ffffffff81000000 T _stext",
                "ffffffff81000100 t do_thing",
                "ffffffff81000200 D some_data",
                "ffffffffc0201000 t module_fn\t[mod]",
                "0000000000000000 A fixed_percpu_data"));
        assertEquals(3, symbols.size(), "text symbols only, with addresses");
        assertEquals("do_thing", symbols.name(0xffffffff81000150L));
        assertEquals("_stext", symbols.name(0xffffffff81000000L));
        assertEquals("module_fn", symbols.name(0xffffffffc0201010L));
        assertEquals("[unknown]", symbols.name(0xffffffff80000000L));
    }
}
