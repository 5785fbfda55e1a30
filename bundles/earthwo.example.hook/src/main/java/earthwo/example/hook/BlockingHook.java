package earthwo.example.hook;

import earthwo.api.hooks.KeyEvent;
import earthwo.api.hooks.KeyHook;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;

/**
 * A misbehaving hook for tests of the dispatcher: a {@link KeyHook} named {@value #NAME} whose
 * {@code deliver} never returns (it blocks the calling thread for good, ignoring interrupts), so
 * it never acknowledges anything. Registered only when the framework property
 * {@value #ENABLE}{@code =true} is set (e.g. {@code bin/earthwo start -Dearthwo.example.hook.block=true});
 * otherwise the bundle offers the {@code example} hook alone.
 *
 * <p>A component without a service of its own that registers the hook itself, so that the
 * property decides whether the service exists at all. Stopping the bundle unregisters the
 * service but does not release a thread stuck in {@code deliver}: the dispatcher has to cope
 * with a hook that never comes back.
 */
@Component(service = {}, immediate = true)
public final class BlockingHook implements KeyHook {

    static final String NAME = "blocking";
    /** Framework (or system) property that enables this hook. */
    static final String ENABLE = "earthwo.example.hook.block";

    /** Never counted down. */
    private final CountDownLatch never = new CountDownLatch(1);
    private ServiceRegistration<KeyHook> registration;

    /** For Declarative Services. */
    public BlockingHook() {
    }

    @Activate
    void activate(BundleContext context) {
        if (Boolean.parseBoolean(context.getProperty(ENABLE))) {
            Dictionary<String, Object> props = new Hashtable<>();
            props.put(KeyHook.NAME, NAME);
            registration = context.registerService(KeyHook.class, this, props);
        }
    }

    @Deactivate
    void deactivate() {
        ServiceRegistration<KeyHook> r = registration;
        registration = null;
        if (r != null) {
            try {
                r.unregister();
            } catch (IllegalStateException alreadyGone) {
                // the framework unregistered it with the bundle
            }
        }
    }

    /** Blocks the calling thread forever; an interrupt does not end it either. */
    @Override
    public CompletionStage<Void> deliver(List<KeyEvent> events) {
        while (true) {
            try {
                never.await();
            } catch (InterruptedException e) {
                // keep blocking: this hook never comes back
            }
        }
    }
}
