package dev.cairn.store.kv;

import java.util.Locale;

/**
 * One KV operation, shaped like an operation of Consul's {@code /v1/txn}. Plain PUT, CAS and DELETE
 * requests are single-operation transactions, so one code path applies every KV write.
 */
public record KvOp(Verb verb, String key, byte[] value, long flags, long index, String session) {

    public enum Verb {
        SET("set"), CAS("cas"), LOCK("lock"), UNLOCK("unlock"),
        GET("get"), GET_OR_EMPTY("get-or-empty"), GET_TREE("get-tree"),
        CHECK_INDEX("check-index"), CHECK_SESSION("check-session"), CHECK_NOT_EXISTS("check-not-exists"),
        DELETE("delete"), DELETE_TREE("delete-tree"), DELETE_CAS("delete-cas");

        private final String wire;

        Verb(String wire) {
            this.wire = wire;
        }

        public String wire() {
            return wire;
        }

        public boolean writes() {
            return switch (this) {
                case SET, CAS, LOCK, UNLOCK, DELETE, DELETE_TREE, DELETE_CAS -> true;
                default -> false;
            };
        }

        /** Parses Consul's verb spelling; returns null for an unknown verb. */
        public static Verb parse(String s) {
            if (s == null) {
                return null;
            }
            String wanted = s.toLowerCase(Locale.ROOT);
            for (Verb v : values()) {
                if (v.wire.equals(wanted)) {
                    return v;
                }
            }
            return null;
        }
    }

    public KvOp {
        if (key == null) {
            key = "";
        }
        if (session == null) {
            session = "";
        }
    }

    public static KvOp set(String key, byte[] value, long flags) {
        return new KvOp(Verb.SET, key, value, flags, 0, "");
    }

    public static KvOp cas(String key, byte[] value, long flags, long index) {
        return new KvOp(Verb.CAS, key, value, flags, index, "");
    }

    public static KvOp delete(String key) {
        return new KvOp(Verb.DELETE, key, null, 0, 0, "");
    }

    public static KvOp deleteTree(String prefix) {
        return new KvOp(Verb.DELETE_TREE, prefix, null, 0, 0, "");
    }

    public static KvOp deleteCas(String key, long index) {
        return new KvOp(Verb.DELETE_CAS, key, null, 0, index, "");
    }
}
