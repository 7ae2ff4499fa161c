package dev.cairn.watcher;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code -template SOURCE:DESTINATION[:COMMAND]}, split on the first two colons only. */
class TemplateSpecTest {

    @Test
    void sourceAndDestination() {
        TemplateSpec spec = TemplateSpec.parse("in.ctmpl:/etc/nginx/out.conf");
        assertThat(spec.source()).isEqualTo(Path.of("in.ctmpl"));
        assertThat(spec.destination()).isEqualTo(Path.of("/etc/nginx/out.conf"));
        assertThat(spec.command()).isEmpty();
        assertThat(spec.commandIfAny()).isEmpty();
    }

    @Test
    void theCommandKeepsItsOwnColons() {
        TemplateSpec spec = TemplateSpec.parse("in.ctmpl:out.conf:curl -X POST http://127.0.0.1:8080/reload && echo a:b");
        assertThat(spec.destination()).isEqualTo(Path.of("out.conf"));
        assertThat(spec.command()).isEqualTo("curl -X POST http://127.0.0.1:8080/reload && echo a:b");
    }

    @Test
    void anEmptyCommandIsNoCommand() {
        assertThat(TemplateSpec.parse("a:b:").commandIfAny()).isEmpty();
        assertThat(TemplateSpec.parse("a:b:  ").commandIfAny()).isEmpty();
    }

    @Test
    void badSpecsNameTheValueAndTheForm() {
        assertThatThrownBy(() -> TemplateSpec.parse("in.ctmpl"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("-template \"in.ctmpl\": no destination (expected SOURCE:DESTINATION[:COMMAND])");
        assertThatThrownBy(() -> TemplateSpec.parse(":out.conf")).hasMessageContaining("empty source");
        assertThatThrownBy(() -> TemplateSpec.parse("in.ctmpl:")).hasMessageContaining("empty destination");
        assertThatThrownBy(() -> TemplateSpec.parse("in.ctmpl::reload")).hasMessageContaining("empty destination");
        assertThatThrownBy(() -> TemplateSpec.parse("in\0:out")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void printsAsWritten() {
        assertThat(TemplateSpec.parse("a:b:c d").toString()).isEqualTo("a:b:c d");
    }
}
