package io.devopsconsole.platform.problem;

import com.fasterxml.jackson.databind.JsonMappingException;
import java.util.List;

/** Turns Java property names and Jackson paths into the JSON field names clients send. */
public final class JsonNames {

    private JsonNames() {}

    public static String snake(String javaName) {
        StringBuilder out = new StringBuilder(javaName.length() + 4);
        for (int i = 0; i < javaName.length(); i++) {
            char c = javaName.charAt(i);
            if (Character.isUpperCase(c)) {
                if (i > 0) {
                    out.append('_');
                }
                out.append(Character.toLowerCase(c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** "items[2].name" from a Jackson reference path; "(body)" when the problem is the whole document. */
    public static String path(List<JsonMappingException.Reference> references) {
        StringBuilder out = new StringBuilder();
        for (JsonMappingException.Reference ref : references) {
            if (ref.getFieldName() != null) {
                if (out.length() > 0) {
                    out.append('.');
                }
                out.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                out.append('[').append(ref.getIndex()).append(']');
            }
        }
        return out.length() == 0 ? "(body)" : out.toString();
    }
}
