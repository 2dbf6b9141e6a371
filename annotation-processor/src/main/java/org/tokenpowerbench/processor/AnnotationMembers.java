package org.tokenpowerbench.processor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.util.Elements;

/**
 * Reads our annotations' members through the mirror API. The processor runs from the user's
 * {@code annotationProcessorPaths}, where our annotation classes need not be loadable, so it finds
 * them by qualified name and reads values as the compiler holds them; a single value written
 * where the member is an array ({@code @Batch(4)}) reads as a list of one.
 */
final class AnnotationMembers {

    private final Elements elements;

    /** {@code elements} fills in the members the user left at their default. */
    AnnotationMembers(Elements elements) {
        this.elements = elements;
    }

    /** The annotation named {@code qualifiedName} on {@code type}, or null when it has none. */
    static AnnotationMirror on(TypeElement type, String qualifiedName) {
        for (AnnotationMirror a : type.getAnnotationMirrors()) {
            if (((TypeElement) a.getAnnotationType().asElement()).getQualifiedName().contentEquals(qualifiedName)) {
                return a;
            }
        }
        return null;
    }

    /**
     * The value the user wrote for {@code member}, or null when it is left at its default: where an
     * error is attached, and how a check tells "given" from "defaulted".
     */
    static AnnotationValue written(AnnotationMirror a, String member) {
        for (Map.Entry<? extends ExecutableElement, ? extends AnnotationValue> e : a.getElementValues().entrySet()) {
            if (e.getKey().getSimpleName().contentEquals(member)) {
                return e.getValue();
            }
        }
        return null;
    }

    /** The member's value, written or default, as the compiler holds it (a boxed constant, a String, a list). */
    Object value(AnnotationMirror a, String member) {
        for (Map.Entry<? extends ExecutableElement, ? extends AnnotationValue> e
                : elements.getElementValuesWithDefaults(a).entrySet()) {
            if (e.getKey().getSimpleName().contentEquals(member)) {
                return e.getValue().getValue();
            }
        }
        throw new IllegalStateException("annotation " + a + " has no member " + member);
    }

    List<String> strings(AnnotationMirror a, String member) {
        return list(a, member, String::valueOf);
    }

    List<Double> doubles(AnnotationMirror a, String member) {
        return list(a, member, v -> ((Number) v).doubleValue());
    }

    List<Integer> ints(AnnotationMirror a, String member) {
        return list(a, member, v -> ((Number) v).intValue());
    }

    int integer(AnnotationMirror a, String member) {
        return ((Number) value(a, member)).intValue();
    }

    private <T> List<T> list(AnnotationMirror a, String member, Function<Object, T> convert) {
        List<T> out = new ArrayList<>();
        Object v = value(a, member);
        if (v instanceof List<?> list) {
            for (Object o : list) {
                out.add(convert.apply(((AnnotationValue) o).getValue()));
            }
        } else {
            out.add(convert.apply(v));
        }
        return out;
    }
}
