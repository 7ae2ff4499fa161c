package dev.cairn.store.state;

/** What applying a restore command gives back: success, or why the restore cannot go on. */
public record RestoreResult(boolean ok, String error) {

    public static final RestoreResult OK = new RestoreResult(true, "");

    public static RestoreResult refused(String error) {
        return new RestoreResult(false, error);
    }
}
