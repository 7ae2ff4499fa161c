package dev.cairn.cli;

import org.junit.jupiter.api.Test;

import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link Main#preferVfork}: commands start one program sooner, where that is safe and wanted. */
class LaunchMechanismTest {

    private final Properties props = new Properties();

    @Test
    void onJdk17OnLinuxChildProcessesStartWithVfork() {
        Main.preferVfork(props, 17, "Linux");
        assertThat(props.getProperty(Main.LAUNCH_MECHANISM)).isEqualTo("VFORK");
    }

    @Test
    void theUsersOwnChoiceStands() {
        props.setProperty(Main.LAUNCH_MECHANISM, "POSIX_SPAWN");
        Main.preferVfork(props, 17, "Linux");
        assertThat(props.getProperty(Main.LAUNCH_MECHANISM)).isEqualTo("POSIX_SPAWN");
    }

    @Test
    void notFromJdk25OnWhichDeprecatesIt() {
        Main.preferVfork(props, 25, "Linux");
        Main.preferVfork(props, 26, "Linux");
        assertThat(props.getProperty(Main.LAUNCH_MECHANISM)).isNull();
    }

    @Test
    void notElsewhereThanLinux() {
        Main.preferVfork(props, 17, "Mac OS X");
        assertThat(props.getProperty(Main.LAUNCH_MECHANISM)).isNull();
    }
}
