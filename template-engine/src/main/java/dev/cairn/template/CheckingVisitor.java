package dev.cairn.template;

import com.github.mustachejava.Mustache;
import com.github.mustachejava.SpecMustacheVisitor;
import com.github.mustachejava.TemplateContext;

/**
 * Sees every tag as the parser reads it, with its line: validates query names (an unknown kind or
 * parameter is a load-time error, TEMPLATES.md "Errors"), checks that partials exist, so that a missing partial is reported
 * at the line that includes it, and leaves out the blanks of standalone comment and set-delimiter
 * lines (see {@link SourceLines}).
 */
final class CheckingVisitor extends SpecMustacheVisitor {

    private final CairnMustacheFactory factory;

    CheckingVisitor(CairnMustacheFactory factory) {
        super(factory);
        this.factory = factory;
    }

    @Override
    public void value(TemplateContext tc, String variable, boolean encoded) {
        factory.checkName(tc, variable);
        super.value(tc, variable, encoded);
    }

    @Override
    public void iterable(TemplateContext tc, String variable, Mustache mustache) {
        factory.checkName(tc, variable);
        super.iterable(tc, variable, mustache);
    }

    @Override
    public void notIterable(TemplateContext tc, String variable, Mustache mustache) {
        factory.checkName(tc, variable);
        super.notIterable(tc, variable, mustache);
    }

    @Override
    public void write(TemplateContext tc, String text) {
        if (!factory.isStandaloneRest(tc, text)) {
            super.write(tc, text);
        }
    }

    /**
     * {@code {{>*name}}} takes the partial's file name from data: a value from the store could
     * then make the daemon read and expand any local file. Values are never templates.
     */
    @Override
    public void dynamicPartial(TemplateContext tc, String variable, String indent) {
        throw new LoadError(tc.file(), factory.realLine(tc.file(), tc.line()),
                "dynamic partials ({{>*...}}) are not supported: partial names must be written in the template");
    }

    @Override
    public void partial(TemplateContext tc, String variable, String indent) {
        factory.checkPartial(tc, variable);
        super.partial(tc, variable, indent);
    }
}
