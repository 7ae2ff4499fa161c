package dev.cairn.it.cluster;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Decides whether a {@link History} of reads, writes and compare-and-sets on key/value registers is
 * linearizable: whether every operation can be given one instant between its invocation and its
 * completion so that, taken in that order, the operations behave like a single register per key.
 *
 * <p>Keys are independent (linearizability is compositional), so each key is checked on its own,
 * which keeps the search small. For one key this is the Wing &amp; Gong search with Lowe's
 * memoization ("Testing for linearizability", Concurrency and Computation 2017; also what
 * Porcupine and Knossos do):
 * <ol>
 *   <li>Put every invocation and completion on one list, in time order (an invocation at the same
 *       instant as a completion counts as concurrent with it).</li>
 *   <li>Walk the list. At an invocation, try to linearize that operation now: apply it to the
 *       register; if the model allows it and the pair (set of linearized operations, register
 *       value) was never reached before, take both of its entries off the list and restart from
 *       the head. At a completion whose operation is not linearized yet, backtrack: undo the last
 *       choice and try the next invocation after it.</li>
 *   <li>Success once no completion is left; failure when there is nothing left to undo.</li>
 * </ol>
 * The memo set is what makes it practical: two paths that linearized the same operations and left
 * the same value are the same future, so each (bitset, value) pair is explored once.
 *
 * <p>Two reductions keep maybe-applied operations (below) from multiplying the states, both sound
 * by an exchange argument:
 * <ul>
 *   <li>Values that no read returned and no CAS expected are indistinguishable to every later
 *       operation, so they are one value for the search. Maybe-applied writes of such values are
 *       then interchangeable: only the earliest-invoked one not yet linearized is ever tried, so
 *       the ones linearized always form a prefix (k+1 states instead of 2^k).</li>
 *   <li>A maybe-applied operation that would not change the register (a CAS whose expected value
 *       is not there, a write of the value already there) is never linearized: that is the same as
 *       it not applying at all.</li>
 * </ul>
 *
 * <p>"Maybe applied" operations ({@link History.Outcome#UNKNOWN}) have no completion: they may be
 * linearized anywhere after their invocation, and need not be linearized at all (never applied).
 * An unknown read and a {@link History.Outcome#FAIL}ed operation constrain nothing and are dropped.
 * A CAS answered {@code false} is a real operation: it linearizes only where the register does not
 * hold its expected value.
 *
 * <p>The search is bounded (memo entries and wall time per key): a history it cannot decide within
 * the bound gets {@link Verdict#TOO_COMPLEX} instead of hanging the build.
 */
final class LinearizabilityChecker {

    enum Verdict { LINEARIZABLE, NOT_LINEARIZABLE, TOO_COMPLEX }

    /** The verdict for one key, with the number of states explored and, when not linearizable, why. */
    record KeyResult(String key, Verdict verdict, int ops, long states, String explanation) {
    }

    /** The verdict for a whole history: the worst per-key verdict (NOT_LINEARIZABLE over TOO_COMPLEX). */
    record Result(Verdict verdict, Map<String, KeyResult> keys) {

        boolean isLinearizable() {
            return verdict == Verdict.LINEARIZABLE;
        }

        /** A multi-line report: one line per key, then the explanation of every failing key. */
        String describe() {
            StringBuilder b = new StringBuilder(verdict.toString());
            keys.values().forEach(k -> b.append("\n  ").append(k.key()).append(": ").append(k.verdict())
                    .append(" (").append(k.ops()).append(" ops, ").append(k.states()).append(" states)"));
            keys.values().stream().filter(k -> k.verdict() != Verdict.LINEARIZABLE)
                    .forEach(k -> b.append("\n").append(k.explanation()));
            return b.toString();
        }

        @Override
        public String toString() {
            return describe();
        }
    }

    private final long maxStates;
    private final Duration maxTime;

    /** Up to two million memo entries and 60 s per key. */
    LinearizabilityChecker() {
        this(2_000_000, Duration.ofSeconds(60));
    }

    LinearizabilityChecker(long maxStatesPerKey, Duration maxTimePerKey) {
        if (maxStatesPerKey < 1) {
            throw new IllegalArgumentException("maxStatesPerKey must be at least 1, got " + maxStatesPerKey);
        }
        this.maxStates = maxStatesPerKey;
        this.maxTime = Objects.requireNonNull(maxTimePerKey, "maxTimePerKey");
    }

    Result check(History history) {
        Map<String, List<History.Op>> byKey = new TreeMap<>();
        for (History.Op op : history.ops()) {
            byKey.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op);
        }
        Map<String, KeyResult> results = new LinkedHashMap<>();
        Verdict overall = Verdict.LINEARIZABLE;
        for (Map.Entry<String, List<History.Op>> e : byKey.entrySet()) {
            KeyResult r = new KeySearch(e.getKey(), e.getValue()).run();
            results.put(e.getKey(), r);
            if (r.verdict() == Verdict.NOT_LINEARIZABLE) {
                overall = Verdict.NOT_LINEARIZABLE;
            } else if (r.verdict() == Verdict.TOO_COMPLEX && overall == Verdict.LINEARIZABLE) {
                overall = Verdict.TOO_COMPLEX;
            }
        }
        return new Result(overall, results);
    }

    /** The search for one key. Operations are numbered 0..n-1; values are interned to ints (0 = absent). */
    private final class KeySearch {

        private static final int UNOBSERVED = 1;

        private final String key;
        private final List<History.Op> ops;
        private final int[] kind;       // 0 read, 1 write, 2 cas applied/unknown, 3 cas not applied
        private final int[] value;      // read: seen; write/cas: new value
        private final int[] expected;   // cas
        private final boolean[] finite; // has a completion that must be linearized before it
        private final boolean[] symmetric; // a maybe-applied write of a value nobody observed
        private final List<String> names = new ArrayList<>();

        // the entry list: entries 1..2n (call or return), 0 is the head sentinel; doubly linked
        private final int[] entryOp;
        private final boolean[] entryIsCall;
        private final int[] returnOf; // for a call entry, its return entry or -1
        private final int[] next;
        private final int[] prev;

        private final long[] zobrist;

        KeySearch(String key, List<History.Op> all) {
            this.key = key;
            this.ops = all.stream()
                    .filter(o -> o.outcome() != History.Outcome.FAIL)
                    .filter(o -> !(o.kind() == History.Kind.READ && o.outcome() == History.Outcome.UNKNOWN))
                    .toList();
            int n = ops.size();
            kind = new int[n];
            value = new int[n];
            expected = new int[n];
            finite = new boolean[n];
            symmetric = new boolean[n];
            Set<String> observed = new HashSet<>();
            for (History.Op o : ops) {
                if (o.kind() == History.Kind.READ) {
                    observed.add(o.value());
                } else if (o.kind() == History.Kind.CAS) {
                    observed.add(o.expected());
                }
            }
            Map<String, Integer> interned = new HashMap<>();
            names.add("<absent>");
            names.add("<a value no read saw>");
            for (int i = 0; i < n; i++) {
                History.Op o = ops.get(i);
                finite[i] = o.outcome() == History.Outcome.OK;
                value[i] = observed.contains(o.value()) ? intern(interned, o.value()) : UNOBSERVED;
                expected[i] = intern(interned, o.expected());
                symmetric[i] = !finite[i] && o.kind() == History.Kind.WRITE && value[i] == UNOBSERVED;
                kind[i] = switch (o.kind()) {
                    case READ -> 0;
                    case WRITE -> 1;
                    case CAS -> o.outcome() == History.Outcome.OK && !o.applied() ? 3 : 2;
                };
            }

            // calls before returns at the same instant: touching operations count as concurrent
            record Event(long time, boolean call, int op) {
            }
            List<Event> events = new ArrayList<>(2 * n);
            for (int i = 0; i < n; i++) {
                events.add(new Event(ops.get(i).invokeNanos(), true, i));
                if (finite[i]) {
                    events.add(new Event(ops.get(i).completeNanos(), false, i));
                }
            }
            events.sort(Comparator.comparingLong(Event::time).thenComparing(ev -> !ev.call()).thenComparingInt(Event::op));
            int m = events.size();
            entryOp = new int[m + 1];
            entryIsCall = new boolean[m + 1];
            returnOf = new int[m + 1];
            next = new int[m + 1];
            prev = new int[m + 1];
            int[] callEntry = new int[n];
            Arrays.fill(returnOf, -1);
            for (int i = 0; i < m; i++) {
                Event ev = events.get(i);
                int entry = i + 1;
                entryOp[entry] = ev.op();
                entryIsCall[entry] = ev.call();
                if (ev.call()) {
                    callEntry[ev.op()] = entry;
                } else {
                    returnOf[callEntry[ev.op()]] = entry;
                }
            }
            for (int i = 0; i <= m; i++) {
                next[i] = i + 1 <= m ? i + 1 : -1;
                prev[i] = i - 1;
            }
            SplittableRandom random = new SplittableRandom(key.hashCode());
            zobrist = new long[n];
            for (int i = 0; i < n; i++) {
                zobrist[i] = random.nextLong();
            }
        }

        private int intern(Map<String, Integer> interned, String v) {
            if (v == null) {
                return 0;
            }
            return interned.computeIfAbsent(v, s -> {
                names.add(s);
                return names.size() - 1;
            });
        }

        /** The register after op {@code i} applied to {@code state}, or -1 if the model forbids it there. */
        private int step(int i, int state) {
            return switch (kind[i]) {
                case 0 -> state == value[i] ? state : -1;
                case 1 -> value[i];
                case 2 -> finite[i]
                        ? (state == expected[i] ? value[i] : -1)
                        : (state == expected[i] ? value[i] : state); // unknown CAS: applies iff it matches
                case 3 -> state != expected[i] ? state : -1;
                default -> throw new IllegalStateException("kind " + kind[i]);
            };
        }

        private void lift(int call) {
            unlink(call);
            if (returnOf[call] >= 0) {
                unlink(returnOf[call]);
            }
        }

        private void unlift(int call) {
            if (returnOf[call] >= 0) {
                relink(returnOf[call]);
            }
            relink(call);
        }

        private void unlink(int e) {
            next[prev[e]] = next[e];
            if (next[e] >= 0) {
                prev[next[e]] = prev[e];
            }
        }

        private void relink(int e) {
            next[prev[e]] = e;
            if (next[e] >= 0) {
                prev[next[e]] = e;
            }
        }

        KeyResult run() {
            int n = ops.size();
            int remaining = 0;
            for (boolean f : finite) {
                remaining += f ? 1 : 0;
            }
            long deadline = System.nanoTime() + maxTime.toNanos();
            Set<Memo> memo = new HashSet<>();
            long[] bits = new long[(n + 63) / 64];
            long hash = 0;
            int state = 0;
            record Frame(int call, int stateBefore, boolean symmetricBefore) {
            }
            Deque<Frame> stack = new ArrayDeque<>();
            int bestDepth = -1;
            String bestExplanation = null;
            long steps = 0;

            int entry = next[0];
            boolean symmetricPassed = false; // an unlinearized symmetric op's call lies before entry
            while (remaining > 0) {
                if (entry < 0) {
                    // cannot happen: an op still to linearize has its completion on the list
                    throw new IllegalStateException("ran off the entry list for key " + key);
                }
                if ((++steps & 0xFFF) == 0 && System.nanoTime() > deadline) {
                    return tooComplex(n, memo.size(), "took longer than " + maxTime);
                }
                int op = entryOp[entry];
                if (entryIsCall[entry]) {
                    int after = step(op, state);
                    boolean linearized = false;
                    boolean pointless = !finite[op] && (after == state || (symmetric[op] && symmetricPassed));
                    if (after >= 0 && !pointless) {
                        bits[op >>> 6] |= 1L << op;
                        long h = hash ^ zobrist[op];
                        if (memo.add(new Memo(bits.clone(), after, h))) {
                            if (memo.size() > maxStates) {
                                return tooComplex(n, memo.size(), "more than " + maxStates + " states");
                            }
                            stack.push(new Frame(entry, state, symmetricPassed));
                            state = after;
                            hash = h;
                            remaining -= finite[op] ? 1 : 0;
                            lift(entry);
                            entry = next[0];
                            symmetricPassed = false;
                            linearized = true;
                        } else {
                            bits[op >>> 6] &= ~(1L << op);
                        }
                    }
                    if (!linearized) {
                        symmetricPassed |= symmetric[op];
                        entry = next[entry];
                    }
                } else {
                    // a completion whose operation is not linearized yet: this path is dead
                    if (stack.size() > bestDepth) {
                        bestDepth = stack.size();
                        bestExplanation = explain(op, stack.stream().map(Frame::call).toList());
                    }
                    if (stack.isEmpty()) {
                        return new KeyResult(key, Verdict.NOT_LINEARIZABLE, n, memo.size(), bestExplanation);
                    }
                    Frame top = stack.pop();
                    int undone = entryOp[top.call()];
                    state = top.stateBefore();
                    bits[undone >>> 6] &= ~(1L << undone);
                    hash ^= zobrist[undone];
                    remaining += finite[undone] ? 1 : 0;
                    unlift(top.call());
                    symmetricPassed = top.symmetricBefore() || symmetric[undone];
                    entry = next[top.call()];
                }
            }
            return new KeyResult(key, Verdict.LINEARIZABLE, n, memo.size(), "");
        }

        /** The real value after the linearized calls (the search itself folds values nobody read into one). */
        private String registerAfter(List<Integer> calls) {
            String register = null;
            for (int call : calls) {
                int i = entryOp[call];
                // a linearized CAS that is not a known failure applied (an unknown one is only linearized where it applies)
                if (kind[i] == 1 || kind[i] == 2) {
                    register = ops.get(i).value();
                }
            }
            return register == null ? "<absent>" : "'" + register + "'";
        }

        private KeyResult tooComplex(int n, long states, String why) {
            return new KeyResult(key, Verdict.TOO_COMPLEX, n, states, "key " + key + ": history too complex to check ("
                    + why + " explored over " + n + " operations); shorten the run or use more keys");
        }

        /** Why the deepest dead end was dead: what was linearized, the register then, and the op that could not fit. */
        private String explain(int blocked, List<Integer> stackTopFirst) {
            List<Integer> order = new ArrayList<>(stackTopFirst);
            java.util.Collections.reverse(order);
            int shown = Math.min(order.size(), 12);
            long origin = ops.stream().mapToLong(History.Op::invokeNanos).min().orElse(0);
            String recent = order.subList(order.size() - shown, order.size()).stream()
                    .map(call -> "    " + ops.get(entryOp[call]).describe(origin))
                    .collect(Collectors.joining("\n"));
            List<History.Op> pending = new ArrayList<>();
            for (int e = next[0]; e >= 0; e = next[e]) {
                if (entryIsCall[e] && ops.get(entryOp[e]).invokeNanos() <= ops.get(blocked).completeNanos()) {
                    pending.add(ops.get(entryOp[e]));
                }
            }
            return "key " + key + " is not linearizable. Longest linearizable prefix found: " + order.size()
                    + " operations, ending with:\n" + (recent.isEmpty() ? "    (none)" : recent)
                    + "\n  the register then holds " + registerAfter(order)
                    + ", and this operation can no longer be linearized before it completes:\n    "
                    + ops.get(blocked).describe(origin)
                    + "\n  operations invoked before then and not linearized (none of them fits first):\n"
                    + pending.stream().limit(12).map(o -> "    " + o.describe(origin)).collect(Collectors.joining("\n"))
                    + "\n  (times relative to the key's first invocation, in the history's clock: ns for recorded runs)";
        }
    }

    /** A memo entry: which operations are linearized, and the register value. */
    private static final class Memo {
        private final long[] bits;
        private final int value;
        private final int hash;

        Memo(long[] bits, int value, long zobristHash) {
            this.bits = bits;
            this.value = value;
            this.hash = Long.hashCode(zobristHash * 31 + value);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Memo m && m.hash == hash && m.value == value && Arrays.equals(m.bits, bits);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}
