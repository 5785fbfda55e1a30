package earthwo.cli.internal;

import earthwo.api.EarthwoException;
import earthwo.api.channels.SubscribeRequest;

import java.util.ArrayList;
import java.util.List;

/**
 * The arguments of {@code subscribe CHANNEL... [--pattern P]... [--count N] [--timeout SECONDS]
 * [--with-ids]}. A name or pattern the node would refuse is a usage error here (exit 64).
 */
final class SubscribeArgs {

    static final String USAGE = "subscribe CHANNEL... [--pattern P]... [--count N] [--timeout SECONDS] [--with-ids]";

    final SubscribeRequest request;
    /** Exit once this many messages arrived; 0: no bound. */
    final long count;
    /** Give up after this many ms; 0: no bound. */
    final long timeoutMillis;
    /** Print the publisher and its sequence with every message. */
    final boolean withIds;

    private SubscribeArgs(SubscribeRequest request, long count, long timeoutMillis, boolean withIds) {
        this.request = request;
        this.count = count;
        this.timeoutMillis = timeoutMillis;
        this.withIds = withIds;
    }

    static SubscribeArgs parse(List<String> args) {
        List<String> channels = new ArrayList<>();
        List<String> patterns = new ArrayList<>();
        long count = 0;
        long timeoutMillis = 0;
        boolean withIds = false;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "--pattern" -> patterns.add(value(args, ++i, a));
                case "--count" -> count = positive(value(args, ++i, a), a, Long.MAX_VALUE);
                case "--timeout" -> timeoutMillis = positive(value(args, ++i, a), a, Long.MAX_VALUE / 1000) * 1000;
                case "--with-ids" -> withIds = true;
                default -> {
                    if (a.startsWith("--")) {
                        throw new UsageException("unknown option '" + a + "'; usage: " + USAGE);
                    }
                    channels.add(a);
                }
            }
        }
        SubscribeRequest request = SubscribeRequest.ofChannels().withChannels(channels).withPatterns(patterns);
        try {
            request.check();
        } catch (EarthwoException e) {
            throw new UsageException(e.detail() + "; usage: " + USAGE);
        }
        return new SubscribeArgs(request, count, timeoutMillis, withIds);
    }

    private static long positive(String text, String option, long max) {
        long n;
        try {
            n = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new UsageException(option + " needs a number, not '" + text + "'");
        }
        if (n < 1 || n > max) {
            throw new UsageException(option + " must be 1 or more, not " + text);
        }
        return n;
    }

    private static String value(List<String> args, int i, String option) {
        if (i >= args.size()) {
            throw new UsageException(option + " needs a value");
        }
        return args.get(i);
    }
}
