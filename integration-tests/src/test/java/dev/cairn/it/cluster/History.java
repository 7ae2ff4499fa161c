package dev.cairn.it.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * What clients did to a set of key/value registers, for {@link LinearizabilityChecker}: every
 * operation with the process that ran it, when it was invoked, when its answer arrived, and what
 * the answer was.
 *
 * <p>Outcomes:
 * <ul>
 *   <li>{@link Outcome#OK}: the answer arrived. A read carries the value it saw ({@code null} = the
 *       key did not exist); a CAS carries whether it applied. A CAS answered {@code false}
 *       definitely did not apply, and tells us the register did not hold {@code expected}.</li>
 *   <li>{@link Outcome#FAIL}: the operation definitely had no effect and told us nothing (say the
 *       connection was refused before the request was sent, or a 4xx). Ignored by the checker.</li>
 *   <li>{@link Outcome#UNKNOWN}: timed out, connection lost, 5xx: "maybe applied". Its completion
 *       time is infinite: a write or CAS may take effect at any time after its invocation, or
 *       never. An unknown read constrains nothing.</li>
 * </ul>
 *
 * <p>Thread-safe: client threads call {@link #invoke} and then exactly one of
 * {@link Call#ok}/{@link Call#okCas}/{@link Call#fail}/{@link Call#unknown} on the returned call.
 * Time comes from an injected clock ({@link System#nanoTime} by default); hand-made histories in
 * tests use {@link #add} with explicit times.
 */
final class History {

    enum Kind { READ, WRITE, CAS }

    enum Outcome { OK, FAIL, UNKNOWN }

    /**
     * One completed (or abandoned) operation.
     *
     * @param value    for WRITE and CAS the value written; for an OK READ the value seen ({@code null} = absent)
     * @param expected for CAS the value it required ({@code null} = the key must not exist)
     * @param applied  for an OK CAS whether it applied; otherwise false
     * @param completeNanos {@link Long#MAX_VALUE} when the outcome is UNKNOWN
     */
    record Op(int process, Kind kind, String key, String value, String expected, boolean applied,
              long invokeNanos, long completeNanos, Outcome outcome) {

        Op {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(outcome, "outcome");
            if (outcome == Outcome.UNKNOWN) {
                completeNanos = Long.MAX_VALUE;
            }
            if (completeNanos < invokeNanos) {
                throw new IllegalArgumentException("operation completes (" + completeNanos
                        + ") before it is invoked (" + invokeNanos + "): " + kind + " " + key);
            }
            if (kind == Kind.WRITE && value == null) {
                throw new IllegalArgumentException("a write needs a value (deletes are not modelled): " + key);
            }
            if (kind == Kind.CAS && value == null) {
                throw new IllegalArgumentException("a CAS needs a new value: " + key);
            }
        }

        static Op read(int process, String key, String seen, long invoke, long complete) {
            return new Op(process, Kind.READ, key, seen, null, false, invoke, complete, Outcome.OK);
        }

        static Op write(int process, String key, String value, long invoke, long complete) {
            return new Op(process, Kind.WRITE, key, value, null, false, invoke, complete, Outcome.OK);
        }

        static Op cas(int process, String key, String expected, String value, boolean applied, long invoke, long complete) {
            return new Op(process, Kind.CAS, key, value, expected, applied, invoke, complete, Outcome.OK);
        }

        /** The same operation with its outcome unknown (maybe applied, completion time infinite). */
        Op unknown() {
            return new Op(process, kind, key, kind == Kind.READ ? null : value, expected, false,
                    invokeNanos, Long.MAX_VALUE, Outcome.UNKNOWN);
        }

        /** The same operation, definitely without effect. */
        Op failed() {
            return new Op(process, kind, key, kind == Kind.READ ? null : value, expected, false,
                    invokeNanos, completeNanos, Outcome.FAIL);
        }

        @Override
        public String toString() {
            return describe(0);
        }

        /** Like toString, with times relative to {@code origin} and digits grouped (recorded runs are in ns). */
        String describe(long origin) {
            String what = switch (kind) {
                case READ -> "read " + key + (outcome == Outcome.OK ? " -> " + show(value) : "");
                case WRITE -> "write " + key + " := " + show(value);
                case CAS -> "cas " + key + " " + show(expected) + " -> " + show(value)
                        + (outcome == Outcome.OK ? (applied ? " : true" : " : false") : "");
            };
            String until = completeNanos == Long.MAX_VALUE ? "inf" : String.format("%,d", completeNanos - origin);
            return "p" + process + " " + what + " [" + String.format("%,d", invokeNanos - origin) + ".." + until + "]"
                    + (outcome == Outcome.OK ? "" : " " + outcome);
        }

        private static String show(String v) {
            return v == null ? "<absent>" : "'" + v + "'";
        }
    }

    /** An invoked operation waiting for its outcome; record exactly one. */
    final class Call {
        private final int process;
        private final Kind kind;
        private final String key;
        private final String value;
        private final String expected;
        private final long invoke;
        private boolean done;

        private Call(int process, Kind kind, String key, String value, String expected, long invoke) {
            this.process = process;
            this.kind = kind;
            this.key = key;
            this.value = value;
            this.expected = expected;
            this.invoke = invoke;
        }

        /** A read answered: {@code seen} is the value, {@code null} when the key was absent. */
        void ok(String seen) {
            if (kind != Kind.READ) {
                throw new IllegalStateException("ok(value) is for reads; got " + kind);
            }
            finish(new Op(process, kind, key, seen, null, false, invoke, clock.getAsLong(), Outcome.OK));
        }

        /** A write acknowledged. */
        void ok() {
            if (kind != Kind.WRITE) {
                throw new IllegalStateException("ok() is for writes; got " + kind);
            }
            finish(new Op(process, kind, key, value, null, false, invoke, clock.getAsLong(), Outcome.OK));
        }

        void okCas(boolean applied) {
            if (kind != Kind.CAS) {
                throw new IllegalStateException("okCas is for a CAS; got " + kind);
            }
            finish(new Op(process, kind, key, value, expected, applied, invoke, clock.getAsLong(), Outcome.OK));
        }

        void fail() {
            finish(new Op(process, kind, key, kind == Kind.READ ? null : value, expected, false, invoke,
                    clock.getAsLong(), Outcome.FAIL));
        }

        void unknown() {
            finish(new Op(process, kind, key, kind == Kind.READ ? null : value, expected, false, invoke,
                    Long.MAX_VALUE, Outcome.UNKNOWN));
        }

        private void finish(Op op) {
            synchronized (History.this) {
                if (done) {
                    throw new IllegalStateException("outcome already recorded for " + op);
                }
                done = true;
                ops.add(op);
            }
        }
    }

    private final LongSupplier clock;
    private final List<Op> ops = new ArrayList<>();

    History() {
        this(System::nanoTime);
    }

    History(LongSupplier clock) {
        this.clock = clock;
    }

    Call invokeRead(int process, String key) {
        return new Call(process, Kind.READ, key, null, null, clock.getAsLong());
    }

    Call invokeWrite(int process, String key, String value) {
        Objects.requireNonNull(value, "value");
        return new Call(process, Kind.WRITE, key, value, null, clock.getAsLong());
    }

    /** {@code expected == null}: the key must not exist (Consul's {@code ?cas=0}). */
    Call invokeCas(int process, String key, String expected, String value) {
        Objects.requireNonNull(value, "value");
        return new Call(process, Kind.CAS, key, value, expected, clock.getAsLong());
    }

    /** Adds a finished operation (hand-made histories). */
    synchronized History add(Op op) {
        ops.add(op);
        return this;
    }

    synchronized List<Op> ops() {
        return List.copyOf(ops);
    }

    synchronized int size() {
        return ops.size();
    }

    synchronized long count(Outcome outcome) {
        return ops.stream().filter(o -> o.outcome() == outcome).count();
    }

    @Override
    public synchronized String toString() {
        return "History of " + ops.size() + " ops (" + count(Outcome.OK) + " ok, " + count(Outcome.FAIL)
                + " failed, " + count(Outcome.UNKNOWN) + " unknown)";
    }
}
