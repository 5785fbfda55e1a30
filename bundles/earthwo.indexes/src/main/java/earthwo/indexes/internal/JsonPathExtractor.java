package earthwo.indexes.internal;

import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import earthwo.api.indexes.IndexExtractor;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;

/**
 * The {@code json} scheme: a JSONPath (the subset {@link JsonPathParser} reads) into a value that
 * is a JSON document in UTF-8, such as {@code json:$.email} or {@code json:$.tags[*]}.
 *
 * <p>What reaches the sink: a JSON string as a {@link String}; a number as {@link JsonNumbers}
 * says (a {@link Long} or an exact {@link java.math.BigDecimal}); {@code true}/{@code false} as a
 * {@link Boolean}. A {@code null}, a missing member or element, or a path that runs into a scalar
 * gives nothing: the record has no value for this index. An object or array where the path ends
 * gives a {@link NotIndexable}, counted as a type mismatch. A value that is not JSON as RFC 8259
 * has it (one document, in UTF-8; no comments, single quotes, NaN or trailing commas) throws
 * {@link IllegalArgumentException}; values found before the error was read have then been given
 * to the sink already, and the caller drops them. (The reader does let a raw control character
 * inside a string pass.)
 *
 * <p>The value is read as a stream ({@link JsonReader}) rather than parsed into a tree: the
 * members off the path are skipped without building strings, numbers or maps for them. It is
 * read to its end even when the path was found early, so that a malformed value is always
 * reported, whatever the path. If a member appears twice in one object, its first occurrence is
 * used. The reader allows at most 255 levels of nesting and numbers of fewer than 1024
 * characters (it reads a number within its buffer); beyond either the value is unreadable.
 */
final class JsonPathExtractor implements IndexExtractor {

    static final String SCHEME = "json";

    @Override
    public Extraction compile(String expression) {
        return new CompiledPath(expression, JsonPathParser.parse(expression));
    }

    /** Immutable, so one instance serves every write at once. */
    private static final class CompiledPath implements Extraction {

        private static final String LENIENCY_ADVICE =
                "Use JsonReader.setStrictness(Strictness.LENIENT) to accept malformed JSON";

        private final String expression;
        private final JsonPathStep[] steps;

        CompiledPath(String expression, List<JsonPathStep> steps) {
            this.expression = expression;
            this.steps = steps.toArray(new JsonPathStep[0]);
        }

        @Override
        public void extract(byte[] key, byte[] value, Consumer<Object> sink) {
            // A decoder reports malformed UTF-8 (newDecoder's default) instead of replacing it.
            Reader utf8 = new InputStreamReader(new ByteArrayInputStream(value), StandardCharsets.UTF_8.newDecoder());
            try (JsonReader in = new JsonReader(utf8)) {
                in.setStrictness(Strictness.STRICT);
                follow(in, 0, sink);
                in.peek(); // throws unless the document ends here
            } catch (CharacterCodingException e) {
                throw new IllegalArgumentException("value is not valid UTF-8", e);
            } catch (IOException e) {
                throw new IllegalArgumentException("value is not valid JSON" + location(e), e);
            }
        }

        /** Reads the value at the reader's position, passing what the steps from {@code step} on select. */
        private void follow(JsonReader in, int step, Consumer<Object> sink) throws IOException {
            if (step == steps.length) {
                emit(in, sink);
                return;
            }
            JsonPathStep s = steps[step];
            JsonToken token = in.peek();
            if (token == JsonToken.BEGIN_OBJECT && !(s instanceof JsonPathStep.Element)) {
                in.beginObject();
                boolean found = false;
                while (in.hasNext()) {
                    String name = in.nextName();
                    if (s instanceof JsonPathStep.Wildcard) {
                        follow(in, step + 1, sink);
                    } else if (!found && ((JsonPathStep.Member) s).name().equals(name)) {
                        found = true;
                        follow(in, step + 1, sink);
                    } else {
                        in.skipValue();
                    }
                }
                in.endObject();
            } else if (token == JsonToken.BEGIN_ARRAY && !(s instanceof JsonPathStep.Member)) {
                in.beginArray();
                int wanted = s instanceof JsonPathStep.Element e ? e.index() : -1;
                for (int i = 0; in.hasNext(); i++) {
                    if (wanted < 0 || i == wanted) {
                        follow(in, step + 1, sink);
                    } else {
                        in.skipValue();
                    }
                }
                in.endArray();
            } else {
                in.skipValue(); // a scalar, or the wrong kind of structure: nothing on this path
            }
        }

        private static void emit(JsonReader in, Consumer<Object> sink) throws IOException {
            switch (in.peek()) {
                case STRING:
                    sink.accept(in.nextString());
                    break;
                case NUMBER:
                    sink.accept(JsonNumbers.of(in.nextString()));
                    break;
                case BOOLEAN:
                    sink.accept(in.nextBoolean());
                    break;
                case NULL:
                    in.nextNull();
                    break;
                case BEGIN_OBJECT:
                    in.skipValue();
                    sink.accept(NotIndexable.JSON_OBJECT);
                    break;
                case BEGIN_ARRAY:
                    in.skipValue();
                    sink.accept(NotIndexable.JSON_ARRAY);
                    break;
                default:
                    // peek() throws on a malformed or ended document, so no other token starts a value.
                    throw new IllegalStateException("unexpected " + in.peek() + " at " + in.getPath());
            }
        }

        /**
         * The reader's reason and place ("at line 1 column 9 path $.a"), without its advice to
         * read leniently, which is about the reader's API and means nothing to an operator.
         */
        private static String location(IOException e) {
            String message = e.getMessage();
            if (message == null) {
                return "";
            }
            int newline = message.indexOf('\n');
            String first = newline < 0 ? message : message.substring(0, newline);
            return first.startsWith(LENIENCY_ADVICE) ? first.substring(LENIENCY_ADVICE.length()) : ": " + first;
        }

        @Override
        public String toString() {
            return SCHEME + ":" + expression;
        }
    }
}
