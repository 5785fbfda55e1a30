package earthwo.cli.internal;

import earthwo.api.EarthwoException;
import earthwo.api.channels.ChannelListener;
import earthwo.api.channels.ChannelMessage;
import earthwo.api.channels.Gap;
import earthwo.api.client.ChannelSubscription;
import earthwo.api.client.KvClient;

import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs {@code subscribe}: one line per message on stdout ({@code CHANNEL<TAB>MESSAGE}, with
 * {@code --with-ids} {@code CHANNEL<TAB>PUBLISHER<TAB>SEQUENCE<TAB>MESSAGE}), and on stderr a line
 * once the node took the subscription ({@code # subscribed on NODE}, so a script knows when to
 * publish) and one per gap. Messages are printed as UTF-8 text.
 */
final class SubscriptionPrinter implements ChannelListener {

    private final PrintStream out;
    private final PrintStream err;
    private final SubscribeArgs args;
    private final AtomicLong printed = new AtomicLong();
    private final CountDownLatch done = new CountDownLatch(1);
    private final AtomicReference<EarthwoException> failure = new AtomicReference<>();

    SubscriptionPrinter(PrintStream out, PrintStream err, SubscribeArgs args) {
        this.out = out;
        this.err = err;
        this.args = args;
    }

    /**
     * Subscribes and prints until {@code --count} messages arrived (exit 0), {@code --timeout}
     * passed (exit 0 without {@code --count}, else 1), or the subscription failed (its error).
     */
    int run(KvClient client) throws InterruptedException {
        try (ChannelSubscription s = client.subscribe(args.request, this)) {
            try {
                s.ready().join();
            } catch (java.util.concurrent.CompletionException e) {
                throw e.getCause() instanceof EarthwoException ee ? ee : e;
            }
            err.println("# subscribed on " + s.node());
            err.flush();
            boolean finished = args.timeoutMillis == 0 ? awaitForever() : done.await(args.timeoutMillis, TimeUnit.MILLISECONDS);
            if (failure.get() != null) {
                throw failure.get();
            }
            if (!finished && args.count > 0) {
                err.println("# " + printed.get() + " of " + args.count + " messages within " + args.timeoutMillis / 1000 + " s");
                return EarthwoCli.ABSENT;
            }
            return EarthwoCli.OK;
        }
    }

    private boolean awaitForever() throws InterruptedException {
        done.await();
        return true;
    }

    @Override
    public void onMessage(ChannelMessage m) {
        if (args.count > 0 && printed.get() >= args.count) {
            return;
        }
        String text = new String(m.payload(), java.nio.charset.StandardCharsets.UTF_8);
        synchronized (out) {
            if (args.withIds) {
                out.println(m.channel() + "\t" + m.publisherId() + "\t" + m.sequence() + "\t" + text);
            } else {
                out.println(m.channel() + "\t" + text);
            }
            out.flush();
        }
        if (printed.incrementAndGet() == args.count) {
            done.countDown();
        }
    }

    @Override
    public void onGap(Gap gap) {
        err.println("# " + gap + " (" + gap.count() + " messages lost)");
        err.flush();
    }

    @Override
    public void onClosed(EarthwoException reason) {
        if (reason != null) {
            failure.set(reason);
        }
        done.countDown();
    }
}
