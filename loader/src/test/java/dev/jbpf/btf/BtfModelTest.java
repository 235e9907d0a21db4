package dev.jbpf.btf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.BpfObject;
import dev.jbpf.OpenedObject;
import dev.jbpf.testing.TestSupport;
import dev.jbpf.testing.UnitTest;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * Every BTF kind decodes: functions and prototypes, enums and their constants, variables,
 * arrays, typedefs and modifiers, over the running kernel's BTF and the test objects'; and
 * the formatter's output for unions, nested arrays, typedef'd char arrays and 128-bit ints.
 * No privileges needed.
 */
@UnitTest
class BtfModelTest {
    @Test
    void decodesKernelFunctionsAndTheirPrototypes() {
        try (Btf kernel = Btf.vmlinux()) {
            BtfType.Function open = kernel.find(BtfType.Function.class, "do_sys_open").orElseThrow();
            BtfType.FuncProto proto = (BtfType.FuncProto) kernel.type(open.protoId());
            assertEquals(List.of("dfd", "filename", "flags", "mode"),
                    proto.parameters().stream().map(BtfType.Parameter::name).toList());
            assertFalse(proto.variadic());
            assertEquals("const char *", kernel.typeName(proto.parameters().get(1).typeId()));

            BtfType.Function openat2 = kernel.find(BtfType.Function.class, "do_sys_openat2").orElseThrow();
            BtfType.FuncProto openat2Proto = (BtfType.FuncProto) kernel.type(openat2.protoId());
            assertEquals(List.of("dfd", "filename", "how"),
                    openat2Proto.parameters().stream().map(BtfType.Parameter::name).toList());
            assertEquals("struct open_how *", kernel.typeName(openat2Proto.parameters().get(2).typeId()));

            BtfType.Function printk = kernel.find(BtfType.Function.class, "_printk").orElseThrow();
            BtfType.FuncProto printkProto = (BtfType.FuncProto) kernel.type(printk.protoId());
            assertTrue(printkProto.variadic());
            assertEquals("int (const char *, ...)", kernel.typeName(printk.protoId()));

            assertTrue(kernel.types(BtfType.Function.class).limit(1000).count() == 1000, "vmlinux has functions");
        }
    }

    @Test
    void decodesKernelEnumsStructsAndTypedefs() {
        try (Btf kernel = Btf.vmlinux()) {
            BtfType.Enum mapTypes = kernel.find(BtfType.Enum.class, "bpf_map_type").orElseThrow();
            assertEquals(OptionalLong.of(1), mapTypes.valueOf("BPF_MAP_TYPE_HASH"));
            assertEquals("BPF_MAP_TYPE_HASH", mapTypes.values().get(1L));
            assertEquals("BPF_MAP_TYPE_UNSPEC", mapTypes.constants().get(0).name());
            assertEquals("enum bpf_map_type", kernel.typeName(mapTypes.id()));

            BtfType.Typedef u32 = kernel.find(BtfType.Typedef.class, "u32").orElseThrow();
            assertEquals(4, kernel.sizeOf(u32.id()));
            assertTrue(kernel.resolve(u32.id()) instanceof BtfType.Int i && !i.signed());

            BtfType.Struct task = kernel.find(BtfType.Struct.class, "task_struct").orElseThrow();
            BtfType.Member comm = task.member("comm").orElseThrow();
            assertEquals("char[16]", kernel.typeName(comm.typeId()));
            assertTrue(kernel.find(BtfType.Function.class, "no_such_function_in_any_kernel").isEmpty());
        }
    }

    @Test
    void decodesVariablesDataSectionsArraysAndModifiers() {
        try (Btf btf = Btf.fromElf(TestSupport.bpfObject("globals"))) {
            BtfType.Var target = btf.find(BtfType.Var.class, "target_pid").orElseThrow();
            assertEquals(BtfType.Linkage.GLOBAL, target.linkage());
            assertEquals("const volatile int", btf.typeName(target.typeId()));
            assertEquals(BtfType.Linkage.STATIC, btf.find(BtfType.Var.class, "static_step").orElseThrow().linkage());
            BtfType.Qualifier constant = (BtfType.Qualifier) btf.type(target.typeId());
            assertEquals("const", constant.qualifier());

            BtfType.Struct bits = btf.findStruct("globals_bits").orElseThrow();
            assertEquals("__u32[2][3]", btf.typeName(bits.member("grid").orElseThrow().typeId()));
            assertEquals("char[2][4]", btf.typeName(bits.member("names").orElseThrow().typeId()));
            assertEquals(3, bits.member("low").orElseThrow().bitfieldSize());
            BtfType.Member union = bits.member("u").orElseThrow();
            assertEquals("union (anonymous)", btf.typeName(union.typeId()));

            BtfType.Function program = btf.find(BtfType.Function.class, "count_target").orElseThrow();
            assertEquals(BtfType.Linkage.GLOBAL, program.linkage());
            assertEquals("int (void *)", btf.typeName(program.protoId()));
            assertEquals("label_t", btf.typeName(btf.find(BtfType.Var.class, "label").orElseThrow().typeId()));
            assertTrue(btf.find(BtfType.DataSection.class, ".rodata.custom").isPresent());
        }
    }

    @Test
    void formatsUnionsNestedArraysTypedefCharArraysAnd128BitIntegers() {
        try (OpenedObject opened = BpfObject.open(TestSupport.bpfObject("globals"))) {
            Btf btf = opened.btf();
            BtfFormatter formatter = new BtfFormatter(btf);
            int bitsType = opened.globals().variable("bits").typeId();
            Object bits = formatter.format(bitsType, opened.globals().getBytes("bits"));
            assertEquals(Map.of("low", 5L, "signed_field", -3L, "flag", true, "mode", "MODE_TRACE",
                    "u", Map.of("as_int", 0x04030201L, "as_bytes", List.of(1L, 2L, 3L, 4L)),
                    "x", 10L, "y", 20L, // the anonymous struct's fields, by their own names
                    "grid", List.of(List.of(1L, 2L, 3L), List.of(4L, 5L, 6L)),
                    "names", List.of("ab", "cde")), bits);
            assertEquals("typedefd", opened.globals().get("label"));
            assertEquals(BigInteger.valueOf(-2), opened.globals().get("big_signed"));
            assertEquals(BigInteger.ONE.shiftLeft(100).add(BigInteger.valueOf(5)), opened.globals().get("big_unsigned"));
            opened.globals().set("big_signed", BigInteger.ONE.shiftLeft(126).negate());
            assertEquals(BigInteger.ONE.shiftLeft(126).negate(), opened.globals().get("big_signed"));
        }
    }
}
