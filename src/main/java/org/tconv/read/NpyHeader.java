package org.tconv.read;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The header dict of a {@code .npy} file: {@code descr}, {@code fortran_order} and {@code shape}.
 *
 * <p>The header is a Python literal, so it is parsed as one rather than matched with patterns: keys may
 * come in any order and with either quote, spacing is free, a trailing comma is allowed, and the
 * {@code L} suffixes that numpy under Python 2 wrote after long integers are accepted. Example:
 * <pre>
 *   {'descr': '&lt;f4', 'fortran_order': False, 'shape': (3L, 4L), }
 *     gives descr "&lt;f4", fortranOrder false, shape [3, 4]
 * </pre>
 * A structured dtype ({@code 'descr': [('x', '<f4'), ...]}) is kept as its source text so the caller can
 * name it when it refuses it.
 */
final class NpyHeader {
    final String descr;
    final boolean fortranOrder;
    final int[] shape;

    private NpyHeader(String descr, boolean fortranOrder, int[] shape) {
        this.descr = descr;
        this.fortranOrder = fortranOrder;
        this.shape = shape;
    }

    /** @throws IllegalArgumentException {@code bad .npy header: ...} */
    static NpyHeader parse(String text) {
        Parser p = new Parser(text);
        Map<String, Object> dict = p.dict();
        Object descr = require(dict, "descr");
        Object fortran = require(dict, "fortran_order");
        Object shape = require(dict, "shape");
        String d;
        if (descr instanceof String) {
            d = (String) descr;
        } else if (descr instanceof Source) {
            d = ((Source) descr).text; // a structured dtype: refused later, by its own text
        } else {
            throw bad("'descr' is " + descr);
        }
        if (!(fortran instanceof Boolean)) throw bad("'fortran_order' is " + fortran);
        if (!(shape instanceof Source) || !((Source) shape).isTuple) throw bad("'shape' is not a tuple");
        return new NpyHeader(d, (Boolean) fortran, ((Source) shape).ints());
    }

    private static Object require(Map<String, Object> dict, String key) {
        Object v = dict.get(key);
        if (v == null) throw bad("no '" + key + "'");
        return v;
    }

    static IllegalArgumentException bad(String what) {
        return new IllegalArgumentException("bad .npy header: " + printable(what));
    }

    /**
     * Header text as it may appear in a one-line reason: control characters escaped, at most
     * {@value #ECHO_CHARS} characters (a hostile header can hold newlines and kilobytes of anything).
     */
    static String printable(String text) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < text.length() && b.length() < ECHO_CHARS; i++) {
            char c = text.charAt(i);
            if (c >= 0x20 && c != 0x7f) b.append(c);
            else b.append(String.format(java.util.Locale.ROOT, "\\x%02x", (int) c));
        }
        return b.length() < ECHO_CHARS ? b.toString() : b.append("...").toString();
    }

    private static final int ECHO_CHARS = 100;

    /** A tuple or list: its source text, and its integer items when it has only integers. */
    private static final class Source {
        final String text;
        final boolean isTuple;
        final List<Object> items;

        Source(String text, boolean isTuple, List<Object> items) {
            this.text = text;
            this.isTuple = isTuple;
            this.items = items;
        }

        int[] ints() {
            int[] r = new int[items.size()];
            for (int i = 0; i < r.length; i++) {
                Object o = items.get(i);
                if (!(o instanceof Long)) throw bad("shape " + text);
                long v = (Long) o;
                if (v < 0 || v > Integer.MAX_VALUE) throw bad("shape " + text);
                r[i] = (int) v;
            }
            return r;
        }

        @Override
        public String toString() {
            return text;
        }
    }

    /** Recursive descent over the few Python literals a header holds. */
    private static final class Parser {
        private final String s;
        private int i;

        Parser(String s) {
            this.s = s;
        }

        Map<String, Object> dict() {
            skip();
            expect('{');
            Map<String, Object> m = new LinkedHashMap<>();
            while (true) {
                skip();
                if (peek() == '}') break;
                Object key = value();
                if (!(key instanceof String)) throw bad("key " + key + " is not a string");
                skip();
                expect(':');
                m.put((String) key, value());
                skip();
                if (peek() == ',') {
                    i++;
                } else if (peek() != '}') {
                    throw bad("expected ',' or '}' at offset " + i);
                }
            }
            i++;
            return m;
        }

        private Object value() {
            skip();
            char c = peek();
            if (c == '\'' || c == '"') return string();
            if (c == '(' || c == '[') return sequence();
            if (c == '-' || Character.isDigit(c)) return number();
            if (s.startsWith("True", i)) { i += 4; return Boolean.TRUE; }
            if (s.startsWith("False", i)) { i += 5; return Boolean.FALSE; }
            if (s.startsWith("None", i)) { i += 4; return "None"; }
            throw bad("unexpected '" + c + "' at offset " + i);
        }

        private String string() {
            char q = s.charAt(i++);
            int end = s.indexOf(q, i);
            if (end < 0) throw bad("unterminated string");
            String r = s.substring(i, end);
            i = end + 1;
            return r;
        }

        private Source sequence() {
            int start = i;
            char open = s.charAt(i++);
            char close = open == '(' ? ')' : ']';
            List<Object> items = new ArrayList<>();
            while (true) {
                skip();
                if (peek() == close) break;
                items.add(value());
                skip();
                if (peek() == ',') {
                    i++;
                } else if (peek() != close) {
                    throw bad("expected ',' or '" + close + "' at offset " + i);
                }
            }
            i++;
            return new Source(s.substring(start, i), open == '(', items);
        }

        /** An integer (Long), with Python 2's L suffix; anything else numeric stays its text (refused later). */
        private Object number() {
            int start = i;
            while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) i++;
            String token = s.substring(start, i);
            if (i < s.length() && (s.charAt(i) == 'L' || s.charAt(i) == 'l')) i++;
            try {
                return Long.parseLong(token);
            } catch (NumberFormatException e) {
                return token;
            }
        }

        private char peek() {
            if (i >= s.length()) throw bad("ends early");
            return s.charAt(i);
        }

        private void expect(char c) {
            if (peek() != c) throw bad("expected '" + c + "' at offset " + i);
            i++;
        }

        private void skip() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
        }
    }

    @Override
    public String toString() {
        return "{'descr': '" + descr + "', 'fortran_order': " + (fortranOrder ? "True" : "False") + ", 'shape': "
                + Arrays.toString(shape) + "}";
    }
}
