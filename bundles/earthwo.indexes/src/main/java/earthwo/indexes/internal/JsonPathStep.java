package earthwo.indexes.internal;

/** One step of a compiled JSONPath after its {@code $}: what it selects from the value before it. */
sealed interface JsonPathStep {

    /** {@code .name} or {@code ['name']}: the value of that member of an object. */
    record Member(String name) implements JsonPathStep {
    }

    /** {@code [N]}: the element at index N (from 0) of an array. */
    record Element(int index) implements JsonPathStep {
    }

    /** {@code [*]} or {@code .*}: every element of an array, every member value of an object. */
    record Wildcard() implements JsonPathStep {
    }
}
