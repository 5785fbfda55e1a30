package earthwo.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shipped {@code conf/earthwo.properties} lists exactly the settings the node's bundles read,
 * each with the default its Settings class gives, so the operator's list cannot drift from the
 * code. The settings are found in the shipped bundle jars by the convention every component
 * follows (see {@code earthwo.api.NodeProperties}): a class named {@code *Settings}, or
 * {@code NodeProperties}, holds each key as a {@code static final String} starting with
 * {@code earthwo.}, and its default in the field of the same name ending in {@code _DEFAULT}.
 */
class SettingsFileTest {

    /** {@code key=value} or {@code #key=value}: a setting shown with its value (commented: the default). */
    private static final Pattern SETTING_LINE = Pattern.compile("^#?(earthwo\\.[a-z0-9.]+)=(.*)$");

    private static Map<String, String> documented;
    private static Map<String, Declared> declared;

    /** A key as its Settings class declares it; {@code defaultValue} null when it has no constant default. */
    private record Declared(String owner, String defaultValue) {
    }

    @BeforeAll
    static void read() throws Exception {
        Path home = NodeProcess.distribution();
        documented = documentedSettings(home.resolve("conf/earthwo.properties"));
        declared = declaredSettings(home.resolve("bundle"));
    }

    @Test
    void everySettingTheBundlesReadIsListedWithItsDefault() {
        assertTrue(declared.size() > 50, "found the settings classes: " + declared.keySet());
        List<String> problems = new ArrayList<>();
        declared.forEach((key, d) -> {
            String shown = documented.get(key);
            if (shown == null) {
                problems.add(key + " (" + d.owner() + ") is not in conf/earthwo.properties");
            } else if (d.defaultValue() != null && !d.defaultValue().equals(shown)) {
                problems.add(key + " is shown as '" + shown + "' but defaults to '" + d.defaultValue() + "' in " + d.owner());
            }
        });
        assertEquals(List.of(), problems);
    }

    @Test
    void everySettingListedIsReadBySomeBundle() {
        Set<String> unknown = new TreeSet<>(documented.keySet());
        unknown.removeAll(declared.keySet());
        assertEquals(Set.of(), unknown, "settings in conf/earthwo.properties that no bundle reads");
    }

    @Test
    void theValueLimitIsDefinedOnce() {
        assertEquals("earthwo.api.NodeProperties", declared.get("earthwo.max.value.bytes").owner());
        assertFalse(declared.containsKey("max_value_bytes"));
    }

    private static Map<String, String> documentedSettings(Path file) throws IOException {
        Map<String, String> settings = new TreeMap<>();
        for (String line : Files.readAllLines(file)) {
            Matcher m = SETTING_LINE.matcher(line.trim());
            if (m.matches()) {
                String before = settings.put(m.group(1), m.group(2).trim());
                assertEquals(null, before, m.group(1) + " is listed twice");
            }
        }
        return settings;
    }

    private static Map<String, Declared> declaredSettings(Path bundleDir) throws Exception {
        List<Path> jars;
        try (Stream<Path> files = Files.list(bundleDir)) {
            jars = files.filter(p -> p.getFileName().toString().matches("earthwo\\..*\\.jar")).sorted().toList();
        }
        URL[] urls = new URL[jars.size()];
        for (int i = 0; i < urls.length; i++) {
            urls[i] = jars.get(i).toUri().toURL();
        }
        Map<String, Declared> keys = new TreeMap<>();
        try (URLClassLoader loader = new URLClassLoader(urls, null)) {
            for (Path jar : jars) {
                for (String className : settingsClasses(jar)) {
                    collectKeys(loader.loadClass(className), keys);
                }
            }
        }
        return keys;
    }

    private static List<String> settingsClasses(Path jar) throws IOException {
        List<String> names = new ArrayList<>();
        try (JarFile j = new JarFile(jar.toFile())) {
            for (JarEntry e : (Iterable<JarEntry>) j.stream()::iterator) {
                String n = e.getName();
                if (n.startsWith("earthwo/") && !n.contains("$")
                        && (n.endsWith("Settings.class") || n.endsWith("/NodeProperties.class"))) {
                    names.add(n.substring(0, n.length() - ".class".length()).replace('/', '.'));
                }
            }
        }
        return names;
    }

    private static void collectKeys(Class<?> settings, Map<String, Declared> keys) throws Exception {
        for (Field f : settings.getDeclaredFields()) {
            int mod = f.getModifiers();
            if (!Modifier.isStatic(mod) || !Modifier.isFinal(mod) || f.getType() != String.class
                    || f.getName().endsWith("_DEFAULT") || f.getName().equals("PID")) {
                continue;
            }
            f.setAccessible(true);
            String key = (String) f.get(null);
            if (key == null || !key.startsWith("earthwo.")) {
                continue;
            }
            String defaultValue = null;
            try {
                Field d = settings.getDeclaredField(f.getName() + "_DEFAULT");
                d.setAccessible(true);
                defaultValue = (String) d.get(null);
            } catch (NoSuchFieldException noConstantDefault) {
                // a default computed from another setting, e.g. the store directory inside the data directory
            }
            Declared before = keys.put(key, new Declared(settings.getName(), defaultValue));
            if (before != null && !before.owner().equals(settings.getName())) {
                throw new AssertionError(key + " is declared twice: in " + before.owner() + " and " + settings.getName());
            }
        }
    }
}
