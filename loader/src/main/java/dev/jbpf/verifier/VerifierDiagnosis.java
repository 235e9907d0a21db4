package dev.jbpf.verifier;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a verifier log says went wrong: the kind of failure, its cause and a fix in plain
 * words, and the log lines that show it ({@code evidence}: the instruction being checked, then
 * the verifier's message). Made by {@link #of(String)} from a whole log: the log is scanned
 * from its end for the last message a rule knows, since the verifier stops at its first error
 * but may print register states after it. A value; owns no native memory.
 */
public record VerifierDiagnosis(VerifierFailure failure, String cause, String fix, List<String> evidence) {
    private static final Pattern INSTRUCTION = Pattern.compile("^(\\d+): \\((\\p{XDigit}{2})\\) (.*?)(\\s+;.*)?$");
    private static final Pattern ALLOC_INSN = Pattern.compile("alloc_insn=(\\d+)");
    private static final Pattern NULLABLE_ACCESS = Pattern.compile("R(\\d+) invalid mem access '(\\w+_or_null)'");

    public VerifierDiagnosis {
        Objects.requireNonNull(failure, "failure");
        Objects.requireNonNull(cause, "cause");
        Objects.requireNonNull(fix, "fix");
        evidence = List.copyOf(evidence);
    }

    /** The diagnosis of a verifier log (the kernel's text, e.g. {@code VerifierException.log()}). */
    public static VerifierDiagnosis of(String log) {
        List<String> lines = Arrays.stream(Objects.requireNonNull(log, "log").split("\n"))
                .map(String::strip).filter(line -> !line.isEmpty()).toList();
        // the verifier's messages follow the instruction it stopped at: the first known one of
        // those decides; failing that, the last known message anywhere (some come before it)
        int lastInstruction = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (INSTRUCTION.matcher(lines.get(i)).matches()) {
                lastInstruction = i;
            }
        }
        List<Integer> order = new ArrayList<>();
        for (int i = lastInstruction + 1; i < lines.size(); i++) {
            order.add(i);
        }
        for (int i = lastInstruction; i >= 0; i--) {
            order.add(i);
        }
        for (int i : order) {
            String line = lines.get(i);
            if (INSTRUCTION.matcher(line).matches() || isStatistics(line) || line.startsWith(";")) {
                continue; // instructions, source lines and the closing statistics are no messages
            }
            for (Rule rule : RULES) {
                Matcher m = rule.pattern.matcher(line);
                if (m.find() && rule.applies(lines, i)) {
                    return new VerifierDiagnosis(rule.failure, rule.cause.apply(m), rule.fix.apply(m), evidence(lines, i));
                }
            }
        }
        List<String> last = lines.stream().filter(line -> !isStatistics(line)).toList();
        return new VerifierDiagnosis(VerifierFailure.UNRECOGNISED, "jbpf does not know this verifier message",
                "read the verifier's own lines; the whole log shows the path it took to the failing instruction",
                last.subList(Math.max(0, last.size() - 2), last.size()));
    }

    /** The diagnosis as lines for people: the kind, cause and fix, then the evidence. */
    public List<String> describe() {
        return describe(List.of());
    }

    /**
     * As {@link #describe()}, leaving out evidence lines in {@code alreadyShown} (e.g. the
     * verifier's reason lines printed just above).
     */
    public List<String> describe(List<String> alreadyShown) {
        List<String> out = new ArrayList<>();
        out.add("Diagnosis: " + failure.title());
        out.add("Cause:     " + cause);
        out.add("Fix:       " + fix);
        List<String> more = evidence.stream().filter(line -> !alreadyShown.contains(line)).toList();
        if (!more.isEmpty()) {
            out.add(alreadyShown.isEmpty() ? "Seen in the log:" : "Also in the log:");
            more.forEach(line -> out.add("  " + line));
        }
        return out;
    }

    private static boolean isStatistics(String line) {
        return line.startsWith("processed ") || line.startsWith("verification time") || line.startsWith("stack depth");
    }

    /** The instruction the verifier was on (the last before line i), the allocation of a leaked reference, line i. */
    private static List<String> evidence(List<String> lines, int at) {
        List<String> shown = new ArrayList<>();
        String message = lines.get(at);
        Matcher nullable = NULLABLE_ACCESS.matcher(message);
        if (nullable.find()) {
            // where the register got its maybe-NULL value: the nearest instruction line saying so
            String state = "R" + nullable.group(1) + "=" + nullable.group(2) + "(";
            String stateWritten = "R" + nullable.group(1) + "_w=" + nullable.group(2) + "(";
            for (int i = at - 1; i >= 0; i--) {
                String line = lines.get(i);
                if (INSTRUCTION.matcher(line).matches() && (line.contains(state) || line.contains(stateWritten))) {
                    shown.add(line);
                    break;
                }
            }
        }
        Matcher alloc = ALLOC_INSN.matcher(message);
        if (alloc.find()) {
            String prefix = alloc.group(1) + ": (";
            lines.stream().filter(line -> line.startsWith(prefix)).findFirst().ifPresent(shown::add);
        }
        for (int i = at - 1; i >= 0; i--) {
            if (INSTRUCTION.matcher(lines.get(i)).matches()) {
                // the C source line libbpf's line info puts before it ("; *slot += 1; @ file.c:19")
                if (i > 0 && lines.get(i - 1).startsWith(";") && lines.get(i - 1).contains(" @ ")) {
                    shown.add(lines.get(i - 1));
                }
                shown.add(lines.get(i));
                break;
            }
        }
        shown.add(lines.get(at));
        // a message the verifier continues on the next line (e.g. the packet's "offset is outside")
        if (at + 1 < lines.size() && !isStatistics(lines.get(at + 1)) && !INSTRUCTION.matcher(lines.get(at + 1)).matches()
                && RULES.stream().anyMatch(r -> r.pattern.matcher(lines.get(at + 1)).find())) {
            shown.add(lines.get(at + 1));
        }
        return shown;
    }

    /** The instruction on the nearest line before {@code at}, without its register-state comment. */
    private static String instructionBefore(List<String> lines, int at) {
        for (int i = at - 1; i >= 0; i--) {
            Matcher m = INSTRUCTION.matcher(lines.get(i));
            if (m.matches()) {
                return m.group(3);
            }
        }
        return "";
    }

    /** A verifier message, the failure it shows, and what to say about it. */
    private record Rule(Pattern pattern, VerifierFailure failure, Function<Matcher, String> cause,
            Function<Matcher, String> fix, Context context) {
        boolean applies(List<String> lines, int at) {
            return context == null || context.test(lines, at);
        }
    }

    @FunctionalInterface
    private interface Context {
        boolean test(List<String> lines, int at);
    }

    private static Rule rule(String regex, VerifierFailure failure, Function<Matcher, String> cause, String fix) {
        return new Rule(Pattern.compile(regex), failure, cause, m -> fix, null);
    }

    private static Rule rule(String regex, VerifierFailure failure, String cause, String fix) {
        return rule(regex, failure, m -> cause, fix);
    }

    /** "R0 !read_ok" at an exit is a return value never set; anywhere else an unset register. */
    private static boolean atExit(List<String> lines, int at) {
        return instructionBefore(lines, at).equals("exit");
    }

    private static String memoryAccessCause(Matcher m) {
        String register = "R" + m.group(1);
        String type = m.group(2);
        if (type.endsWith("_or_null")) {
            return register + " is " + type + ": it may be NULL (e.g. bpf_map_lookup_elem found no entry) and is used"
                    + " before the program checked it";
        }
        if (type.equals("scalar") || type.equals("inv")) {
            return register + " holds a number, not a pointer the verifier knows: BPF programs cannot dereference"
                    + " arbitrary addresses";
        }
        return register + " is a " + type + ", which may not be read or written this way";
    }

    private static String memoryAccessFix(Matcher m) {
        String type = m.group(2);
        if (type.endsWith("_or_null")) {
            return "check the pointer first: 'if (!value) return 0;', then use it";
        }
        if (type.equals("scalar") || type.equals("inv")) {
            return "read kernel memory with bpf_probe_read_kernel() or BPF_CORE_READ(), user memory with"
                    + " bpf_probe_read_user()";
        }
        return "access it only through the helpers made for this pointer type";
    }

    private static final List<Rule> RULES = List.of(
            new Rule(Pattern.compile("^R0 !read_ok"), VerifierFailure.INVALID_RETURN,
                    m -> "the program exits without setting R0, its return value",
                    m -> "return a value on every path (in C: every path ends in 'return N;')",
                    VerifierDiagnosis::atExit),
            rule("^R(\\d+) !read_ok", VerifierFailure.UNINITIALIZED_READ,
                    m -> "R" + m.group(1) + " is read before anything wrote it (at entry only R1, the context, and R10,"
                            + " the frame pointer, are set; a helper call clobbers R1-R5)",
                    "set the register before reading it; keep values needed after a helper call in R6-R9"),
            rule("invalid (indirect )?read from stack (R\\d+ )?off -?\\d+\\+\\d+ size \\d+", VerifierFailure.UNINITIALIZED_READ,
                    "stack memory is read (or passed to a helper that reads it) before the program wrote it",
                    "initialise the variable or buffer first, e.g. '= {}' or __builtin_memset(&buf, 0, sizeof(buf))"),
            rule("expected an initialized|uninit(ialized)? (dynptr|iter)", VerifierFailure.UNINITIALIZED_READ,
                    "a dynptr or iterator is used before it was initialised",
                    "create it with its _new/_from helper or kfunc before use"),
            rule("infinite loop detected at insn (\\d+)", VerifierFailure.INFINITE_LOOP,
                    m -> "a loop returns to instruction " + m.group(1) + " in the same state: it can never end",
                    "give the loop a bound the verifier can see (a counter compared against a constant), or use"
                            + " bpf_loop() or bpf_for()"),
            rule("back-edge from insn (\\d+) to (\\d+)", VerifierFailure.INFINITE_LOOP,
                    m -> "a jump from instruction " + m.group(1) + " back to " + m.group(2) + " makes a loop, which this"
                            + " kernel or this loader's privileges do not allow",
                    "unroll the loop (#pragma unroll with a constant bound), or use bpf_loop() on kernels that have it"),
            new Rule(Pattern.compile("R(\\d+) invalid mem access '([^']+)'"), VerifierFailure.INVALID_MEMORY_ACCESS,
                    VerifierDiagnosis::memoryAccessCause, VerifierDiagnosis::memoryAccessFix, null),
            rule("Possibly NULL pointer passed to (helper|trusted) arg", VerifierFailure.INVALID_MEMORY_ACCESS,
                    "a pointer that may be NULL is passed where the helper needs a valid one",
                    "check the pointer for NULL before passing it"),
            rule("(R\\d+ )?(32-bit )?pointer arithmetic( on (\\S+))? prohibited", VerifierFailure.POINTER_ARITHMETIC,
                    m -> "arithmetic on a pointer of a type that allows none" + (m.group(4) == null ? "" : " (" + m.group(4) + ")")
                            + ": map pointers, possibly-NULL pointers, sockets and the like may only be passed on",
                    "do the arithmetic on a pointer that allows it (e.g. a map value after the NULL check), or pass the"
                            + " pointer unchanged"),
            rule("(bitwise operator \\S+ on pointer|pointer \\S+ pointer|math between .* pointer and .*) .*(prohibited|not allowed)",
                    VerifierFailure.POINTER_ARITHMETIC, "an operation pointers do not support (only adding or subtracting an offset is allowed)",
                    "compute on integers, then add the result to the pointer"),
            rule("BPF program is too large\\. Processed (\\d+) insn", VerifierFailure.TOO_COMPLEX,
                    m -> "the verifier walked " + m.group(1) + " instructions along the program's paths and gave up at its"
                            + " limit of 1000000 (each loop iteration and each branch counts)",
                    "make loops shorter or use bpf_loop()/bpf_for(), split work into tail calls or subprograms, cut branches"),
            rule("The sequence of (\\d+) jumps is too complex", VerifierFailure.TOO_COMPLEX,
                    m -> "the verifier holds " + m.group(1) + " pending branches, more than it can keep",
                    "reduce the branches inside loops, or move the loop body into bpf_loop() or a subprogram"),
            rule("(too many states|program is too large|too many instructions|BPF program is too large)", VerifierFailure.TOO_COMPLEX,
                    "the program is larger or has more paths than the verifier accepts",
                    "split it into subprograms or tail calls, shorten loops"),
            rule("BPF_STX uses reserved fields", VerifierFailure.UNSUPPORTED_INSTRUCTION,
                    "the program stores with an instruction this kernel's verifier does not know: most often an atomic"
                            + " operation whose old value is used (__sync_fetch_and_add's result, atomic exchange or compare and"
                            + " exchange: BPF_ATOMIC with BPF_FETCH, Linux 5.12), which clang emits for -mcpu=v3 and later",
                    "do not use the result of __sync_fetch_and_add (a plain add is BPF_XADD, known since 4.x), or build with"
                            + " clang -mcpu=v2 for kernels before 5.12"),
            rule("BPF_LDX uses reserved fields", VerifierFailure.UNSUPPORTED_INSTRUCTION,
                    "the program loads with an instruction this kernel's verifier does not know: a sign-extending load"
                            + " (BPF_MEMSX of cpu v4, Linux 6.6)",
                    "build with clang -mcpu=v3 (or lower) for kernels before 6.6"),
            rule("kfunc '(\\S+)' is referenced but wasn't resolved", VerifierFailure.UNKNOWN_HELPER,
                    m -> "the program calls kernel function " + m.group(1) + ", which this kernel does not have (bpf_for and"
                            + " the bpf_iter_num_* kfuncs came in Linux 6.4)",
                    "use a bounded loop or bpf_loop() (Linux 5.17) instead of bpf_for/bpf_repeat, or guard the call with"
                            + " bpf_ksym_exists()"),
            rule("invalid func (\\S+)", VerifierFailure.UNKNOWN_HELPER,
                    m -> "the program calls " + m.group(1) + ", a helper this kernel does not have",
                    "use a helper this kernel has (bpftool feature probe lists them), or build for a newer kernel"),
            rule("program of this type cannot use helper (\\S+)", VerifierFailure.UNKNOWN_HELPER,
                    m -> "the program calls " + m.group(1) + ", which this program type may not call",
                    "call it from a program type that has it (e.g. skb helpers from tc or socket programs), or use the"
                            + " equivalent helper of this type"),
            rule("unknown func (\\S+)", VerifierFailure.UNKNOWN_HELPER,
                    m -> "the program calls " + m.group(1) + ", which this program type or kernel does not offer",
                    "use a helper this program type has on this kernel"),
            rule("(calling kernel function (\\S+) is not allowed|kernel function (\\S+) .*not allowed|cannot find kfunc|kfunc .* not found)",
                    VerifierFailure.UNKNOWN_HELPER, "the program calls a kernel function (kfunc) this program type or kernel does not allow",
                    "use kfuncs registered for this program type, or a helper"),
            rule("helper call might sleep in a non-sleepable prog", VerifierFailure.UNKNOWN_HELPER,
                    "a helper that may sleep is called from a program that must not sleep",
                    "use a sleepable section (e.g. SEC(\"fentry.s/...\"), SEC(\"uprobe.s/...\")) or a non-sleeping helper"),
            rule("R(\\d+) type=(\\S+) expected=(.*)", VerifierFailure.WRONG_ARGUMENT_TYPE,
                    m -> "argument R" + m.group(1) + " is a " + m.group(2) + " but the helper wants one of: " + m.group(3),
                    "pass what the helper's prototype asks for, e.g. a pointer to a stack variable for a map key"),
            rule("(arg#?\\d+ (expected|is not|doesn't)|R(\\d+) is not a (pointer|known constant)|expected pointer to)",
                    VerifierFailure.WRONG_ARGUMENT_TYPE, "an argument does not have the type the helper or kfunc expects",
                    "pass what its prototype asks for"),
            rule("cannot call GPL-restricted function from non-GPL compatible program", VerifierFailure.GPL_ONLY_HELPER,
                    "the program calls a GPL-only helper (e.g. bpf_probe_read_kernel, bpf_trace_printk) but its license is"
                            + " not GPL-compatible",
                    "declare a GPL-compatible license: char LICENSE[] SEC(\"license\") = \"GPL\"; (or \"Dual BSD/GPL\")"),
            rule("At program exit the register R0 (.*) should have been in (.*)", VerifierFailure.INVALID_RETURN,
                    m -> "the program may return " + m.group(1).replaceFirst("^has ", "") + ", but this program type allows "
                            + m.group(2),
                    "return only the values the program type defines (e.g. 0 or 1 for cgroup programs)"),
            rule("R0 leaks addr as return value", VerifierFailure.INVALID_RETURN,
                    "the program returns a pointer", "return a number"),
            rule("Unreleased reference id=(\\d+) alloc_insn=(\\d+)", VerifierFailure.UNRELEASED_REFERENCE,
                    m -> "a reference acquired at instruction " + m.group(2) + " (e.g. bpf_ringbuf_reserve, a socket lookup) is"
                            + " still held when the program exits",
                    "release it on every path: bpf_ringbuf_submit()/bpf_ringbuf_discard() after a reserve, bpf_sk_release()"
                            + " after a lookup"),
            rule("would lead to reference leak", VerifierFailure.UNRELEASED_REFERENCE,
                    "a reference is still held when the program exits", "release it on every path before returning"),
            rule("invalid access to packet|offset is outside of the packet", VerifierFailure.OUT_OF_BOUNDS,
                    "packet data is read before the program proved it lies before data_end",
                    "compare first: 'if ((void *)(eth + 1) > data_end) return XDP_PASS;' then read"),
            rule("invalid access to map value, value_size=(\\d+) off=(-?\\d+) size=(\\d+)", VerifierFailure.OUT_OF_BOUNDS,
                    m -> "an access of " + m.group(3) + " bytes at offset " + m.group(2) + " of a " + m.group(1)
                            + "-byte map value falls outside it",
                    "keep offsets within the value's size (check the value type and the index)"),
            rule("R(\\d+) unbounded memory access", VerifierFailure.OUT_OF_BOUNDS,
                    m -> "R" + m.group(1) + " points into memory at an offset the program never bounded (e.g. an array index"
                            + " from a helper or the packet)",
                    "bound the index before using it: 'if (i >= N) return 0;' (or mask it: i &= N - 1)"),
            rule("R(\\d+) (min|max) value is (outside of the allowed memory range|negative)", VerifierFailure.OUT_OF_BOUNDS,
                    m -> "R" + m.group(1) + "'s offset may fall outside the memory it points to",
                    "check the offset against the size before the access"),
            rule("invalid access to memory, mem_size=|invalid (read|write) from (map|mem)|access beyond", VerifierFailure.OUT_OF_BOUNDS,
                    "an access outside the memory region the pointer covers", "check offsets against the region's size"),
            rule("invalid bpf_context access off=(-?\\d+) size=(\\d+)", VerifierFailure.CONTEXT_ACCESS,
                    m -> "the context is read or written at offset " + m.group(1) + " (" + m.group(2) + " bytes), which this"
                            + " program type does not allow (most contexts are read-only; fields have fixed sizes)",
                    "read context fields through the program type's struct (or BPF_CORE_READ for BTF contexts); copy"
                            + " to the stack to change values"),
            rule("dereference of modified ctx ptr|variable ctx access", VerifierFailure.CONTEXT_ACCESS,
                    "the context is accessed through a moved pointer or a variable offset",
                    "access context fields directly with constant offsets (ctx->field)"),
            rule("invalid (write to|read from|indirect access to|indirect read from|zero-sized read from|variable-offset) stack R(\\d+) (var_)?off=",
                    VerifierFailure.STACK_LIMIT, "an access below the 512-byte stack or above its frame",
                    "keep stack use under 512 bytes: put big buffers in a per-CPU array map"),
            rule("combined stack size of (\\d+) calls is (\\d+)", VerifierFailure.STACK_LIMIT,
                    m -> "the stack frames of " + m.group(1) + " nested calls need " + m.group(2) + " bytes; the limit is 512",
                    "inline less or move buffers into a per-CPU array map"),
            rule("unreachable insn (\\d+)", VerifierFailure.UNREACHABLE_CODE,
                    m -> "no path reaches instruction " + m.group(1),
                    "remove the dead code (in C this usually means hand-written assembly after a return)"),
            rule("jump out of range|last insn is not an exit or jmp|unknown opcode|invalid BPF_LD_IMM", VerifierFailure.UNREACHABLE_CODE,
                    "the instructions are malformed (a jump outside the program, a missing exit, an unknown opcode)",
                    "rebuild the object with a clang that targets this kernel; check hand-written assembly"));
}
