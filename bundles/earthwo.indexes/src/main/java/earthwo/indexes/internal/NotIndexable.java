package earthwo.indexes.internal;

/**
 * What an extraction hands its sink for something it found but that cannot be an index value, so
 * that it is counted as a type mismatch rather than silently missing (see
 * {@link earthwo.api.indexes.IndexExtractor.Extraction#extract}).
 *
 * @param what a short description for the log, such as "a JSON object"
 */
record NotIndexable(String what) {

    static final NotIndexable JSON_OBJECT = new NotIndexable("a JSON object");
    static final NotIndexable JSON_ARRAY = new NotIndexable("a JSON array");

    @Override
    public String toString() {
        return what;
    }
}
