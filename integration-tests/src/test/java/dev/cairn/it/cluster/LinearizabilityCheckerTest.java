package dev.cairn.it.cluster;

import dev.cairn.it.cluster.History.Op;
import dev.cairn.it.cluster.LinearizabilityChecker.Result;
import dev.cairn.it.cluster.LinearizabilityChecker.Verdict;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The checker on hand-made histories. Times are small integers; {@code [a..b]} in a comment is an
 * operation invoked at a and answered at b. "Absent" is a key that was never written.
 */
class LinearizabilityCheckerTest {

    private final LinearizabilityChecker checker = new LinearizabilityChecker();

    private Result check(Op... ops) {
        History h = new History();
        for (Op op : ops) {
            h.add(op);
        }
        return checker.check(h);
    }

    @Nested
    class Linearizable {

        @Test
        void emptyHistory() {
            assertThat(check().isLinearizable()).isTrue();
        }

        @Test
        void sequentialWritesAndReads() {
            Result r = check(
                    Op.read(1, "x", null, 0, 1),
                    Op.write(1, "x", "a", 2, 3),
                    Op.read(2, "x", "a", 4, 5),
                    Op.write(2, "x", "b", 6, 7),
                    Op.read(1, "x", "b", 8, 9));
            assertThat(r.isLinearizable()).as(r.describe()).isTrue();
        }

        @Test
        void aReadConcurrentWithAWriteMaySeeEitherValue() {
            Op write = Op.write(1, "x", "a", 10, 20);
            assertThat(check(write, Op.read(2, "x", null, 12, 18)).isLinearizable()).isTrue();
            assertThat(check(write, Op.read(2, "x", "a", 12, 18)).isLinearizable()).isTrue();
        }

        @Test
        void concurrentReadsMaySeeTheWriteInEitherOrderIfTheyOverlap() {
            // w(a) [0..100] concurrent with two overlapping reads: one sees it, the other not yet
            Result r = check(
                    Op.write(1, "x", "a", 0, 100),
                    Op.read(2, "x", "a", 10, 50),
                    Op.read(3, "x", null, 20, 60));
            assertThat(r.isLinearizable()).as(r.describe()).isTrue();
        }

        @Test
        void oneOfTwoRacingCasesWinsAndTheOtherIsAnsweredFalse() {
            Result r = check(
                    Op.write(1, "x", "a", 0, 1),
                    Op.cas(1, "x", "a", "b", true, 10, 20),
                    Op.cas(2, "x", "a", "c", false, 11, 21),
                    Op.read(3, "x", "b", 30, 31));
            assertThat(r.isLinearizable()).as(r.describe()).isTrue();
        }

        @Test
        void casOnAnAbsentKeyCreatesIt() {
            Result r = check(
                    Op.cas(1, "x", null, "a", true, 0, 1),
                    Op.cas(2, "x", null, "b", false, 2, 3),
                    Op.read(2, "x", "a", 4, 5));
            assertThat(r.isLinearizable()).as(r.describe()).isTrue();
        }

        @Test
        void theSameHistoryOnSeveralKeysIsCheckedPerKey() {
            Result r = check(
                    Op.write(1, "x", "a", 0, 10),
                    Op.write(2, "y", "a", 0, 10),
                    Op.read(1, "x", "a", 11, 12),
                    Op.read(2, "y", "a", 11, 12));
            assertThat(r.isLinearizable()).isTrue();
            assertThat(r.keys()).containsOnlyKeys("x", "y");
        }
    }

    /** The classic anomalies a broken cluster produces. */
    @Nested
    class NotLinearizable {

        @Test
        void staleReadAfterAnAcknowledgedWrite() {
            // w(a) acknowledged at 10; a read invoked at 20 still sees the old (absent) value
            Result r = check(
                    Op.write(1, "x", "a", 0, 10),
                    Op.read(2, "x", null, 20, 30));
            assertThat(r.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
            assertThat(r.describe()).contains("key x is not linearizable").contains("read x -> <absent>");
        }

        @Test
        void staleReadOfAnOverwrittenValue() {
            Result r = check(
                    Op.write(1, "x", "a", 0, 10),
                    Op.write(1, "x", "b", 20, 30),
                    Op.read(2, "x", "a", 40, 50));
            assertThat(r.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
        }

        @Test
        void lostAcknowledgedWrite() {
            // b acknowledged, then every later read is back at a: b was lost (say, by a failover)
            Result r = check(
                    Op.write(1, "x", "a", 0, 10),
                    Op.read(2, "x", "a", 11, 12),
                    Op.write(1, "x", "b", 20, 30),
                    Op.read(2, "x", "b", 31, 32),
                    Op.read(3, "x", "a", 40, 41));
            assertThat(r.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
            assertThat(r.describe()).contains("read x -> 'a'");
        }

        @Test
        void casSucceedingTwiceFromTheSameValue() {
            Result r = check(
                    Op.write(1, "x", "a", 0, 1),
                    Op.cas(1, "x", "a", "b", true, 10, 20),
                    Op.cas(2, "x", "a", "c", true, 11, 21));
            assertThat(r.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
        }

        @Test
        void casCreatingAnAbsentKeyTwice() {
            Result r = check(
                    Op.cas(1, "x", null, "a", true, 0, 10),
                    Op.cas(2, "x", null, "b", true, 5, 15));
            assertThat(r.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
        }

        @Test
        void casAnsweredFalseWhileTheRegisterCertainlyHeldItsExpectedValue() {
            Result r = check(
                    Op.write(1, "x", "a", 0, 10),
                    Op.cas(2, "x", "a", "b", false, 20, 30),
                    Op.read(3, "x", "a", 40, 50));
            assertThat(r.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
        }

        @Test
        void readOfAValueNobodyWrote() {
            Result r = check(
                    Op.write(1, "x", "a", 0, 10),
                    Op.read(2, "x", "z", 20, 30));
            assertThat(r.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
        }

        @Test
        void readsDisagreeingOnTheOrderOfTwoWrites() {
            // both writes end before either read starts; reads in sequence see 2 then 1: no order explains it
            Result r = check(
                    Op.write(1, "x", "1", 0, 10),
                    Op.write(2, "x", "2", 0, 10),
                    Op.read(3, "x", "2", 11, 12),
                    Op.read(3, "x", "1", 13, 14));
            assertThat(r.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
        }

        @Test
        void aBrokenKeyIsReportedAmongGoodOnes() {
            Result r = check(
                    Op.write(1, "good", "a", 0, 10),
                    Op.read(2, "good", "a", 20, 30),
                    Op.write(1, "bad", "a", 0, 10),
                    Op.read(2, "bad", null, 20, 30));
            assertThat(r.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
            assertThat(r.keys().get("good").verdict()).isEqualTo(Verdict.LINEARIZABLE);
            assertThat(r.keys().get("bad").verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
            assertThat(r.describe()).contains("key bad is not linearizable").doesNotContain("key good is not");
        }
    }

    /** Timed-out and failed operations: maybe applied (unknown), or definitely not (fail). */
    @Nested
    class MaybeApplied {

        @Test
        void anUnknownWriteMayHaveApplied() {
            Result r = check(
                    Op.write(1, "x", "a", 0, 10),
                    Op.write(2, "x", "b", 20, 30).unknown(),
                    Op.read(3, "x", "b", 40, 50));
            assertThat(r.isLinearizable()).as(r.describe()).isTrue();
        }

        @Test
        void anUnknownWriteMayNeverApply() {
            Result r = check(
                    Op.write(1, "x", "a", 0, 10),
                    Op.write(2, "x", "b", 20, 30).unknown(),
                    Op.read(3, "x", "a", 40, 50),
                    Op.read(3, "x", "a", 1_000, 1_010));
            assertThat(r.isLinearizable()).as(r.describe()).isTrue();
        }

        @Test
        void anUnknownWriteMayApplyLongAfterItsClientGaveUp() {
            // the request timed out at 30 (so: unknown); the entry commits after a later read
            Result r = check(
                    Op.write(1, "x", "a", 0, 10),
                    Op.write(2, "x", "b", 20, 30).unknown(),
                    Op.read(3, "x", "a", 40, 50),
                    Op.read(3, "x", "b", 1_000, 1_010));
            assertThat(r.isLinearizable()).as(r.describe()).isTrue();
        }

        @Test
        void anUnknownWriteCannotApplyBeforeItWasInvoked() {
            Result r = check(
                    Op.read(1, "x", "b", 0, 10),
                    Op.write(2, "x", "b", 20, 30).unknown());
            assertThat(r.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
        }

        @Test
        void anUnknownWriteAppliesOnceOnly() {
            // seen, then overwritten, then seen again: the overwrite would have to be undone
            Result r = check(
                    Op.write(2, "x", "b", 0, 10).unknown(),
                    Op.read(3, "x", "b", 20, 30),
                    Op.write(1, "x", "c", 40, 50),
                    Op.read(3, "x", "b", 60, 70));
            assertThat(r.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
        }

        @Test
        void anUnknownCasAppliesOnlyIfItsExpectedValueIsThere() {
            Op a = Op.write(1, "x", "a", 0, 10);
            Result matching = check(a, Op.cas(2, "x", "a", "b", true, 20, 30).unknown(), Op.read(3, "x", "b", 40, 50));
            assertThat(matching.isLinearizable()).as(matching.describe()).isTrue();

            Result mismatching = check(a, Op.cas(2, "x", "q", "b", true, 20, 30).unknown(),
                    Op.read(3, "x", "b", 40, 50));
            assertThat(mismatching.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);

            Result notApplied = check(a, Op.cas(2, "x", "a", "b", true, 20, 30).unknown(),
                    Op.read(3, "x", "a", 40, 50));
            assertThat(notApplied.isLinearizable()).as(notApplied.describe()).isTrue();
        }

        @Test
        void twoUnknownCasesFromTheSameValueCannotBothApply() {
            Result r = check(
                    Op.write(1, "x", "a", 0, 10),
                    Op.cas(2, "x", "a", "b", true, 20, 30).unknown(),
                    Op.cas(3, "x", "a", "c", true, 20, 30).unknown(),
                    Op.read(1, "x", "b", 40, 50),
                    Op.read(1, "x", "c", 60, 70));
            assertThat(r.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
        }

        @Test
        void aFailedWriteDefinitelyDidNotApply() {
            Result r = check(
                    Op.write(1, "x", "a", 0, 10),
                    Op.write(2, "x", "b", 20, 30).failed(),
                    Op.read(3, "x", "b", 40, 50));
            assertThat(r.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
        }

        @Test
        void anUnknownOrFailedReadConstrainsNothing() {
            Result r = check(
                    Op.write(1, "x", "a", 0, 10),
                    Op.read(2, "x", "z", 20, 30).unknown(),
                    Op.read(2, "x", "z", 40, 50).failed(),
                    Op.read(3, "x", "a", 60, 70));
            assertThat(r.isLinearizable()).as(r.describe()).isTrue();
        }

        @Test
        void anUnreadUnknownWriteCanExplainACasAnsweredFalse() {
            // nobody read b, but the CAS from a failed: b (applied) is the only explanation
            Op b = Op.write(2, "x", "b", 2, 3).unknown();
            Op[] rest = {
                    Op.write(1, "x", "a", 0, 1),
                    Op.cas(1, "x", "a", "x1", false, 10, 11),
                    Op.write(1, "x", "c", 20, 21),
                    Op.read(3, "x", "c", 30, 31)};
            Result with = check(b, rest[0], rest[1], rest[2], rest[3]);
            assertThat(with.isLinearizable()).as(with.describe()).isTrue();
            assertThat(check(rest).verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
        }

        @Test
        void oneUnreadUnknownWriteCannotExplainTwoCasFailuresSeparatedByAWrite() {
            Op[] ops = {
                    Op.write(1, "x", "a", 0, 1),
                    Op.write(2, "x", "u1", 2, 3).unknown(),
                    Op.cas(1, "x", "a", "x1", false, 5, 6),
                    Op.write(1, "x", "c", 10, 11),
                    Op.cas(1, "x", "c", "x2", false, 15, 16),
                    Op.write(1, "x", "d", 20, 21),
                    Op.read(1, "x", "d", 22, 23)};
            assertThat(check(ops).verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);

            Op[] withSecond = java.util.Arrays.copyOf(ops, ops.length + 1);
            withSecond[ops.length] = Op.write(3, "x", "u2", 3, 4).unknown();
            Result r = check(withSecond);
            assertThat(r.isLinearizable()).as(r.describe()).isTrue();
        }

        @Test
        void manyUnknownWritesStayCheap() {
            History h = new History();
            h.add(Op.write(0, "x", "v0", 0, 1));
            for (int i = 1; i <= 40; i++) {
                h.add(Op.write(i, "x", "u" + i, 10 + i, 20 + i).unknown());
            }
            h.add(Op.read(0, "x", "u17", 100, 110));
            h.add(Op.read(0, "x", "u3", 120, 130));
            Result r = checker.check(h);
            assertThat(r.isLinearizable()).as(r.describe()).isTrue();
        }
    }

    @Nested
    class Recording {

        @Test
        void callsRecordTheirOutcomeWithClockTimes() {
            long[] now = {100};
            History h = new History(() -> now[0]++);
            History.Call w = h.invokeWrite(1, "x", "a");
            History.Call r = h.invokeRead(2, "x");
            w.ok();
            r.ok("a");
            History.Call c = h.invokeCas(1, "x", "a", "b");
            c.unknown();

            assertThat(h.ops()).containsExactly(
                    Op.write(1, "x", "a", 100, 102),
                    Op.read(2, "x", "a", 101, 103),
                    Op.cas(1, "x", "a", "b", false, 104, Long.MAX_VALUE).unknown());
            assertThat(h.count(History.Outcome.UNKNOWN)).isEqualTo(1);
            assertThat(checker.check(h).isLinearizable()).isTrue();
        }

        @Test
        void anOutcomeIsRecordedOnce() {
            History.Call w = new History().invokeWrite(1, "x", "a");
            w.ok();
            assertThatThrownBy(w::unknown).isInstanceOf(IllegalStateException.class).hasMessageContaining("already");
        }

        @Test
        void completingBeforeInvokingIsRejected() {
            assertThatThrownBy(() -> Op.read(1, "x", null, 10, 5))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("before it is invoked");
        }
    }

    /**
     * The search (with its memo and its reductions for maybe-applied operations) against the
     * definition: try every order of every subset of the maybe-applied operations.
     */
    @Nested
    class AgainstBruteForce {

        @Test
        void agreesOnTwentyThousandRandomSmallHistories() {
            Random random = new Random(2026);
            int linearizable = 0;
            for (int round = 0; round < 20_000; round++) {
                List<Op> ops = randomHistory(random, 1 + random.nextInt(7));
                boolean expected = bruteForce(ops);
                Result r = check(ops.toArray(Op[]::new));
                assertThat(r.isLinearizable()).as("round %d: %s%n%s", round, ops, r.describe()).isEqualTo(expected);
                linearizable += expected ? 1 : 0;
            }
            // both verdicts must be well represented for the comparison to mean something
            assertThat(linearizable).isBetween(3_000, 17_000);
        }

        private List<Op> randomHistory(Random random, int n) {
            String[] values = {null, "a", "b", "c"};
            List<Op> ops = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                long invoke = random.nextInt(20);
                long complete = invoke + random.nextInt(10);
                String v = values[1 + random.nextInt(3)];
                Op op = switch (random.nextInt(3)) {
                    case 0 -> Op.read(i, "x", values[random.nextInt(4)], invoke, complete);
                    case 1 -> Op.write(i, "x", v, invoke, complete);
                    default -> Op.cas(i, "x", values[random.nextInt(4)], v, random.nextBoolean(), invoke, complete);
                };
                int outcome = random.nextInt(10);
                ops.add(outcome < 2 ? op.unknown() : outcome < 3 ? op.failed() : op);
            }
            return ops;
        }

        /** Some order of the definite ops plus some subset of the maybe-applied ones works. */
        private boolean bruteForce(List<Op> all) {
            List<Op> definite = all.stream().filter(o -> o.outcome() == History.Outcome.OK).toList();
            List<Op> maybe = all.stream()
                    .filter(o -> o.outcome() == History.Outcome.UNKNOWN && o.kind() != History.Kind.READ).toList();
            for (int mask = 0; mask < 1 << maybe.size(); mask++) {
                List<Op> chosen = new ArrayList<>(definite);
                for (int i = 0; i < maybe.size(); i++) {
                    if ((mask & 1 << i) != 0) {
                        chosen.add(maybe.get(i));
                    }
                }
                if (someOrderWorks(chosen, new boolean[chosen.size()], 0, null)) {
                    return true;
                }
            }
            return false;
        }

        private boolean someOrderWorks(List<Op> ops, boolean[] used, int placed, String register) {
            if (placed == ops.size()) {
                return true;
            }
            for (int i = 0; i < ops.size(); i++) {
                if (used[i]) {
                    continue;
                }
                Op op = ops.get(i);
                // op may go next only if no unplaced op completed before op was invoked
                boolean minimal = true;
                for (int j = 0; j < ops.size() && minimal; j++) {
                    minimal = used[j] || j == i || ops.get(j).completeNanos() >= op.invokeNanos();
                }
                if (!minimal) {
                    continue;
                }
                boolean fits;
                String after = register;
                switch (op.kind()) {
                    case READ -> fits = java.util.Objects.equals(register, op.value());
                    case WRITE -> {
                        fits = true;
                        after = op.value();
                    }
                    default -> {
                        boolean matches = java.util.Objects.equals(register, op.expected());
                        if (op.outcome() == History.Outcome.UNKNOWN) {
                            fits = true;
                            after = matches ? op.value() : register;
                        } else {
                            fits = matches == op.applied();
                            after = matches && op.applied() ? op.value() : register;
                        }
                    }
                }
                if (fits) {
                    used[i] = true;
                    boolean works = someOrderWorks(ops, used, placed + 1, after);
                    used[i] = false;
                    if (works) {
                        return true;
                    }
                }
            }
            return false;
        }
    }

    /** Histories the size of a cluster test run, generated from a real (sequential) register. */
    @Nested
    class Scale {

        @Test
        void twoThousandOperationsOverFiveKeysCheckInSeconds() {
            History h = simulated(new Random(42), 2_000, 6, 5, 0.03);
            long start = System.nanoTime();
            Result r = checker.check(h);
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(r.isLinearizable()).as(r.describe()).isTrue();
            assertThat(took).as("time to check %s", h).isLessThan(Duration.ofSeconds(20));
        }

        @Test
        void twoThousandOperationsWithOneInTenTimingOutCheckInSeconds() {
            History h = simulated(new Random(3), 2_000, 8, 4, 0.10);
            long start = System.nanoTime();
            Result r = checker.check(h);
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(r.isLinearizable()).as(r.describe()).isTrue();
            assertThat(took).as("time to check %s", h).isLessThan(Duration.ofSeconds(20));
        }

        @Test
        void oneStaleReadInTwoThousandOperationsIsFound() {
            History good = simulated(new Random(7), 2_000, 6, 5, 0.03);
            // replace a late read by one that returns a value overwritten long before it was invoked
            List<Op> ops = new ArrayList<>(good.ops());
            Map<String, List<Op>> writesByKey = new HashMap<>();
            for (Op o : ops) {
                if (o.kind() == History.Kind.WRITE && o.outcome() == History.Outcome.OK) {
                    writesByKey.computeIfAbsent(o.key(), k -> new ArrayList<>()).add(o);
                }
            }
            int victim = -1;
            for (int i = ops.size() - 1; i >= 0 && victim < 0; i--) {
                Op o = ops.get(i);
                if (o.kind() == History.Kind.READ && o.outcome() == History.Outcome.OK
                        && writesByKey.get(o.key()).size() > 20) {
                    victim = i;
                }
            }
            Op read = ops.get(victim);
            Op early = writesByKey.get(read.key()).get(2);
            ops.set(victim, Op.read(read.process(), read.key(), early.value(), read.invokeNanos(), read.completeNanos()));
            History bad = new History();
            ops.forEach(bad::add);

            Result r = checker.check(bad);

            assertThat(r.verdict()).as(r.describe()).isEqualTo(Verdict.NOT_LINEARIZABLE);
            assertThat(r.keys().get(read.key()).verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
        }

        @Test
        void aSearchBeyondItsBoundSaysTooComplexInsteadOfHanging() {
            // 60 fully concurrent maybe-applied writes and reads no order satisfies quickly
            History h = new History();
            for (int i = 0; i < 60; i++) {
                h.add(Op.write(i, "x", "w" + i, 0, 1_000).unknown());
            }
            for (int i = 0; i < 60; i++) {
                h.add(Op.read(100 + i, "x", "nobody-wrote-this", 500, 2_000 + i));
            }
            LinearizabilityChecker small = new LinearizabilityChecker(10_000, Duration.ofSeconds(10));
            long start = System.nanoTime();

            Result r = small.check(h);

            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
            assertThat(r.verdict()).as(r.describe()).isIn(Verdict.TOO_COMPLEX, Verdict.NOT_LINEARIZABLE);
        }

        @Test
        void tooComplexIsReportedWithTheKey() {
            History h = new History();
            for (int i = 0; i < 30; i++) {
                h.add(Op.write(i, "hot", "w" + i, 0, 1_000));
            }
            h.add(Op.read(99, "hot", "never", 1_001, 1_002));
            Result r = new LinearizabilityChecker(1_000, Duration.ofSeconds(10)).check(h);

            assertThat(r.verdict()).isEqualTo(Verdict.TOO_COMPLEX);
            assertThat(r.describe()).contains("key hot: history too complex to check");
        }

        /**
         * {@code n} operations by {@code processes} clients on {@code keys} registers, each taking
         * effect at a random instant inside its interval; a fraction become unknown (half of those
         * never apply).
         */
        private History simulated(Random random, int n, int processes, int keys, double unknownRate) {
            record Planned(int process, long invoke, long point, long complete, String key, int kind, boolean unknown) {
            }
            List<Planned> plan = new ArrayList<>();
            long[] clock = new long[processes];
            for (int i = 0; i < n; i++) {
                int p = random.nextInt(processes);
                long invoke = clock[p] + random.nextInt(50);
                long point = invoke + 1 + random.nextInt(100);
                long complete = point + 1 + random.nextInt(100);
                clock[p] = complete + 1;
                plan.add(new Planned(p, invoke, point, complete, "k" + random.nextInt(keys), random.nextInt(3),
                        random.nextDouble() < unknownRate));
            }
            plan.sort(Comparator.comparingLong(Planned::point));
            Map<String, String> register = new HashMap<>();
            Map<String, List<String>> written = new HashMap<>();
            History h = new History();
            int counter = 0;
            for (Planned pl : plan) {
                String current = register.get(pl.key());
                boolean applies = !pl.unknown() || random.nextBoolean();
                Op op;
                switch (pl.kind()) {
                    case 0 -> op = Op.read(pl.process(), pl.key(), current, pl.invoke(), pl.complete());
                    case 1 -> {
                        String v = "v" + counter++;
                        op = Op.write(pl.process(), pl.key(), v, pl.invoke(), pl.complete());
                        if (applies) {
                            register.put(pl.key(), v);
                            written.computeIfAbsent(pl.key(), k -> new ArrayList<>()).add(v);
                        }
                    }
                    default -> {
                        List<String> old = written.getOrDefault(pl.key(), List.of());
                        String expected = random.nextInt(4) > 0 || old.isEmpty() ? current
                                : old.get(random.nextInt(old.size()));
                        String v = "v" + counter++;
                        boolean matches = java.util.Objects.equals(expected, current);
                        if (applies && matches) {
                            register.put(pl.key(), v);
                            written.computeIfAbsent(pl.key(), k -> new ArrayList<>()).add(v);
                        }
                        op = Op.cas(pl.process(), pl.key(), expected, v, matches, pl.invoke(), pl.complete());
                    }
                }
                if (pl.unknown()) {
                    op = op.unknown();
                }
                h.add(op);
            }
            return h;
        }
    }
}
