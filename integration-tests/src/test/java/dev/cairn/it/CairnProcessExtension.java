package dev.cairn.it;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

import java.util.List;

/**
 * Cleans up and explains: after a test class, closes every {@link CairnProcess} it started (even
 * ones a failed test never reached {@code close()} for); when a test fails, prints the tail of the
 * logs of the servers involved.
 */
public final class CairnProcessExtension implements BeforeAllCallback, AfterAllCallback, TestWatcher {

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(CairnProcessExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getStore(NS).put("classMark", CairnProcess.startedCount());
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        Integer classMark = context.getParent().map(p -> p.getStore(NS).get("classMark", Integer.class)).orElse(0);
        List<CairnProcess> involved = CairnProcess.startedSince(classMark == null ? 0 : classMark);
        for (CairnProcess p : involved) {
            System.err.println("==== " + context.getDisplayName() + " failed; tail of " + p + "\n" + p.logTail(60));
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        Integer mark = context.getStore(NS).get("classMark", Integer.class);
        for (CairnProcess p : CairnProcess.startedSince(mark == null ? 0 : mark)) {
            p.close();
        }
    }
}
