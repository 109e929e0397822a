package io.devopsconsole.registry;

import io.quarkus.panache.common.Parameters;
import java.util.Locale;

/** Small normalizations every inventory service applies to request values. */
public final class Inputs {

    private Inputs() {}

    /** Optional free text: blank means absent, otherwise trimmed. */
    public static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    /** A case-insensitive "starts with" parameter named {@code prefix}, with LIKE wildcards in the input escaped. */
    public static Parameters namePrefix(String namePrefix) {
        String p = namePrefix == null
                ? ""
                : namePrefix
                        .toLowerCase(Locale.ROOT)
                        .replace("\\", "\\\\")
                        .replace("%", "\\%")
                        .replace("_", "\\_");
        return Parameters.with("prefix", p + "%");
    }
}
