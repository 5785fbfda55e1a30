package earthwo.channels.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * The arguments of {@code channel:mirror}: {@code NAME CHANNEL [--prefix P]... [--events E,E]
 * [--values [--values-max-bytes N]]}. Options may be written {@code --opt value} or
 * {@code --opt=value}, before or after the names. Only the form is checked here; the values are
 * checked by {@link MirrorSettings} before anything is saved.
 */
record MirrorCommandLine(String name, String channel, List<String> prefixes, String events, boolean values,
                         String valuesMaxBytes) {

    static final String USAGE = "usage: channel:mirror NAME CHANNEL [--prefix P]... [--events CREATED,UPDATED,...]"
            + " [--values [--values-max-bytes N]]";

    static MirrorCommandLine parse(String... args) {
        List<String> positional = new ArrayList<>();
        List<String> prefixes = new ArrayList<>();
        String events = null;
        boolean values = false;
        String valuesMaxBytes = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            int eq = a.indexOf('=');
            String option = a.startsWith("--") && eq > 0 ? a.substring(0, eq) : a;
            String inline = option.equals(a) ? null : a.substring(eq + 1);
            switch (option) {
                case "--values" -> {
                    if (inline != null) {
                        throw bad("--values takes no value");
                    }
                    values = true;
                }
                case "--prefix", "--events", "--values-max-bytes" -> {
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
                        valuesMaxBytes = once(option, valuesMaxBytes, value);
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
        if (positional.size() != 2) {
            throw bad("give the mirror's NAME and CHANNEL");
        }
        if (valuesMaxBytes != null && !values) {
            throw bad("--values-max-bytes goes with --values");
        }
        return new MirrorCommandLine(positional.get(0), positional.get(1), List.copyOf(prefixes), events, values,
                valuesMaxBytes);
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
