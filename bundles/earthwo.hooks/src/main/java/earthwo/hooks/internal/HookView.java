package earthwo.hooks.internal;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One hook's figures as hook:list and the "hooks" status show them. {@code pending} and
 * {@code oldestPendingMs} are shown as given (a number, {@code >=cap}, {@code n/a} or an
 * unavailable note); lags are -1 before the first delivery, shown {@code n/a}; {@code stuckMs}
 * is how long the deliver call of a {@link HookState#STUCK} hook has run, else 0 (shown last,
 * so lines keep their earlier order).
 */
record HookView(String name, String bundle, String prefixes, String events, HookState state, long delivered,
                long retried, long failed, long gaps, Object pending, Object oldestPendingMs, long lagP50Ms,
                long lagP99Ms, long stuckMs) {

    static final String NO_VALUE = "n/a";

    /** The figures in a fixed order, keys without the hook's name. */
    Map<String, Object> facts() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("bundle", bundle);
        m.put("prefixes", prefixes);
        m.put("events", events);
        m.put("state", state.shown());
        m.put("delivered", delivered);
        m.put("retried", retried);
        m.put("failed", failed);
        m.put("gaps", gaps);
        m.put("pending", pending);
        m.put("pending.oldest.ms", oldestPendingMs);
        m.put("lag.p50.ms", lagP50Ms < 0 ? NO_VALUE : lagP50Ms);
        m.put("lag.p99.ms", lagP99Ms < 0 ? NO_VALUE : lagP99Ms);
        m.put("stuck.ms", stuckMs);
        return m;
    }

    /** One line: the name, then {@code key=value} for every figure. */
    String line() {
        StringBuilder b = new StringBuilder(name);
        facts().forEach((k, v) -> b.append(' ').append(k).append('=').append(v));
        return b.toString();
    }
}
