// SPDX-License-Identifier: GPL-2.0
// The Java program jbpf profile's Java tests sample, and the one of README's Java flame graph
// (docs/java-flamegraph.svg). Run by the JDK's source launcher: java JavaHot.java SECONDS.
// Its CPU time goes to spinHotMethod, called from work, called from main; it also makes some
// garbage (allocate) so that the collector's threads show up. Prints "ready" once it has run a
// second (the hot method is JIT-compiled by then), "done" when SECONDS have passed.
import java.util.ArrayList;
import java.util.List;

public final class JavaHot {
    private JavaHot() {
    }

    /**
     * The hot method: an arithmetic loop the JIT compiles on its own. 37 bytes of bytecode, over
     * C1's inlining limit (35), and work is called too rarely for C2 to compile it within a
     * test's seconds: so spinHotMethod stays a frame of its own, not inlined into work.
     */
    static long spinHotMethod(long rounds) {
        long x = 1;
        for (long i = 0; i < rounds; i++) {
            x = x * 6364136223846793005L + (i ^ (x >>> 29));
        }
        return x;
    }

    /** Short-lived objects: work for the garbage collector, a few per cent of the time. */
    static int allocate(int count) {
        List<long[]> garbage = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            garbage.add(new long[16 + i % 64]);
        }
        return garbage.size();
    }

    static long work(long rounds) {
        return spinHotMethod(rounds) + allocate(300);
    }

    public static void main(String[] args) {
        long start = System.nanoTime();
        long end = start + (long) (Double.parseDouble(args.length > 0 ? args[0] : "5") * 1e9);
        long readyAt = start + 1_000_000_000L;
        boolean told = false;
        long sink = 0;
        while (System.nanoTime() < end) {
            sink += work(2_000_000);
            if (!told && System.nanoTime() >= readyAt) {
                System.out.println("ready");
                System.out.flush();
                told = true;
            }
        }
        System.out.println("done " + (sink & 1));
    }
}
