package org.tokenpowerbench.processor;

import java.util.List;
import javax.annotation.processing.Messager;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.lang.model.element.TypeElement;
import javax.tools.Diagnostic;
import org.tokenpowerbench.axes.Axis;

/**
 * Checks the annotation values of one user class and reports each mistake as a compile error on
 * the value that causes it, so the IDE underlines {@code 0} in {@code @Batch({1, 0})}, as JMH does
 * for its own annotations. It remembers whether any error was reported: the processor reports every
 * mistake of a class in one compilation, then generates nothing for it.
 */
final class AnnotationCheck {

    private final Messager messager;
    private final TypeElement type;
    private boolean failed;

    AnnotationCheck(Messager messager, TypeElement type) {
        this.messager = messager;
        this.type = type;
    }

    /** Whether any error was reported for the class. */
    boolean failed() {
        return failed;
    }

    /** Reports an annotation member that gives no value at all (no axis rule sees an empty list). */
    boolean nonEmpty(AnnotationMirror a, String member, List<?> values, String emptyMessage) {
        if (values.isEmpty()) {
            error(a, member, emptyMessage);
            return false;
        }
        return true;
    }

    /** {@link #nonEmpty}, and no blank value: for members whose axis allows blank (none) but a blank value is pointless. */
    boolean nonBlank(AnnotationMirror a, String member, List<String> values, String emptyMessage) {
        if (!nonEmpty(a, member, values, emptyMessage)) {
            return false;
        }
        for (String v : values) {
            if (v.isBlank()) {
                error(a, member, "blank value in " + a.getAnnotationType().asElement().getSimpleName()
                        + ": every value needs text");
                return false;
            }
        }
        return true;
    }

    /**
     * Checks every value of an annotation member against its axis's rule and reports the first one
     * it does not allow, on that member, in the rule's words: {@code @Batch(0) is not allowed: it
     * must be at least 1}. The same words as before a run ({@code batch=0 is not allowed: ...}).
     */
    boolean allowed(AnnotationMirror a, String member, Axis axis, List<?> values) {
        for (Object v : values) {
            if (!axis.rule().allows(v)) {
                String written = v instanceof String text ? JavaLiteral.of(text) : String.valueOf(v);
                error(a, member, "@" + a.getAnnotationType().asElement().getSimpleName() + "("
                        + (member.equals("value") ? "" : member + " = ") + written + ") " + axis.rule().complaint(v));
                return false;
            }
        }
        return true;
    }

    /**
     * {@link #nonEmpty} and then {@link #allowed}: a member that becomes a {@code @Param} needs at
     * least one value, and each must be one the axis allows.
     */
    boolean nonEmptyAllowed(AnnotationMirror a, String member, Axis axis, List<?> values, String emptyMessage) {
        return nonEmpty(a, member, values, emptyMessage) && allowed(a, member, axis, values);
    }

    /** An error on the member's written value, or on the annotation where the member is left at its default. */
    void error(AnnotationMirror a, String member, String message) {
        failed = true;
        AnnotationValue v = AnnotationMembers.written(a, member);
        if (v != null) {
            messager.printMessage(Diagnostic.Kind.ERROR, message, type, a, v);
        } else {
            messager.printMessage(Diagnostic.Kind.ERROR, message, type, a);
        }
    }

    /** An error on a whole annotation of {@code element} (the class or one of its members). */
    void error(Element element, AnnotationMirror a, String message) {
        failed = true;
        messager.printMessage(Diagnostic.Kind.ERROR, message, element, a);
    }

    /** An error on the class itself: its kind or place makes it no benchmark, whatever its annotations say. */
    void classError(String message) {
        failed = true;
        messager.printMessage(Diagnostic.Kind.ERROR, message, type);
    }
}
