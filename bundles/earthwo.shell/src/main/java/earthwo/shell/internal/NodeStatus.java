package earthwo.shell.internal;

import java.util.AbstractMap;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The result of {@code node:status}: a read-only map of {@code name.key} to value, sorted by
 * key, that is also a {@link CharSequence} holding the {@code name.key = value} listing.
 *
 * <p>Gogo's {@code format} returns a CharSequence as it is before it looks at maps, so the
 * console and {@code bin/earthwo exec} print the listing, while a Gogo script ({@code
 * ($s get kv.puts)}) or a Java caller uses it as a {@link Map}.
 */
public final class NodeStatus extends AbstractMap<String, Object> implements CharSequence {

    private final SortedMap<String, Object> facts;
    private final String text;

    NodeStatus(Map<String, Object> facts) {
        this.facts = Collections.unmodifiableSortedMap(new TreeMap<>(facts));
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Object> e : this.facts.entrySet()) {
            sb.append(e.getKey()).append(" = ").append(Text.escapeLine(String.valueOf(e.getValue()))).append('\n');
        }
        this.text = sb.toString();
    }

    @Override
    public Set<Map.Entry<String, Object>> entrySet() {
        return facts.entrySet();
    }

    @Override
    public Object get(Object key) {
        return facts.get(key);
    }

    @Override
    public boolean containsKey(Object key) {
        return facts.containsKey(key);
    }

    @Override
    public int length() {
        return text.length();
    }

    @Override
    public char charAt(int index) {
        return text.charAt(index);
    }

    @Override
    public CharSequence subSequence(int start, int end) {
        return text.subSequence(start, end);
    }

    /** The {@code name.key = value} listing, one line per fact. */
    @Override
    public String toString() {
        return text;
    }
}
