package earthwo.hooks.webhook.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * The arguments of {@code hook:webhook}: {@code NAME URL [--prefix P]... [--events E,E]
 * [--secret-file F]} to create or update a webhook, or {@code --delete NAME}. Options may be
 * written {@code --opt value} or {@code --opt=value}, before or after the names.
 */
record WebhookCommandLine(boolean delete, String name, String url, List<String> prefixes, String events,
                          String secretFile) {

    static final String USAGE = "usage: hook:webhook NAME URL [--prefix P]... [--events CREATED,DELETED,...]"
            + " [--secret-file ABSOLUTE_PATH] | hook:webhook --delete NAME";

    static WebhookCommandLine parse(String... args) {
        boolean delete = false;
        List<String> positional = new ArrayList<>();
        List<String> prefixes = new ArrayList<>();
        String events = null;
        String secretFile = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String option = a.startsWith("--") && a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
            String inline = option.equals(a) ? null : a.substring(a.indexOf('=') + 1);
            switch (option) {
                case "--delete" -> {
                    if (inline != null) {
                        throw bad("--delete takes no value; give the name after it");
                    }
                    delete = true;
                }
                case "--prefix", "--events", "--secret-file" -> {
                    String value = inline;
                    if (value == null) {
                        if (i + 1 >= args.length) {
                            throw bad(option + " needs a value");
                        }
                        value = args[++i];
                    }
                    if (option.equals("--prefix")) {
                        prefixes.add(value);
                    } else if (option.equals("--events")) {
                        events = once(option, events, value);
                    } else {
                        secretFile = once(option, secretFile, value);
                    }
                }
                default -> {
                    if (a.startsWith("--")) {
                        throw bad("unknown option " + option);
                    }
                    positional.add(a);
                }
            }
        }
        if (delete) {
            if (positional.size() != 1 || !prefixes.isEmpty() || events != null || secretFile != null) {
                throw bad("--delete takes the name only");
            }
            return new WebhookCommandLine(true, positional.get(0), null, List.of(), null, null);
        }
        if (positional.size() != 2) {
            throw bad("give the webhook's NAME and URL");
        }
        return new WebhookCommandLine(false, positional.get(0), positional.get(1), List.copyOf(prefixes), events, secretFile);
    }

    private static String once(String option, String before, String value) {
        if (before != null) {
            throw bad(option + " is given twice");
        }
        return value;
    }

    private static IllegalArgumentException bad(String why) {
        return new IllegalArgumentException(why + "\n" + USAGE);
    }
}
