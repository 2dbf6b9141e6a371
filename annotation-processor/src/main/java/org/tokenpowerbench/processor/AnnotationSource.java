package org.tokenpowerbench.processor;

import java.util.List;
import java.util.Map;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.SimpleAnnotationValueVisitor14;
import javax.lang.model.util.Types;

/**
 * An annotation of the user's class as Java source that compiles in the generated class: how JMH's
 * {@code @Warmup}, {@code @Measurement}, {@code @Fork}, {@code @Timeout} and {@code @OutputTimeUnit}
 * are copied. Not {@code AnnotationMirror.toString()}: javac prints enum constants by their simple
 * name ({@code timeUnit=SECONDS}), which does not compile where the enum is not imported. Every
 * name is written fully qualified, and only the members the user wrote (JMH's defaults stay JMH's).
 */
final class AnnotationSource {

    private final Types types;

    /** {@code types} erases class literals ({@code List<String>.class} is not Java). */
    AnnotationSource(Types types) {
        this.types = types;
    }

    /** {@code @pkg.Name(member = value, ...)}, or {@code @pkg.Name(value)} when {@code value} is the only member written. */
    String of(AnnotationMirror a) {
        StringBuilder s = new StringBuilder("@")
                .append(((TypeElement) a.getAnnotationType().asElement()).getQualifiedName());
        Map<? extends ExecutableElement, ? extends AnnotationValue> values = a.getElementValues();
        if (!values.isEmpty()) {
            s.append('(');
            boolean first = true;
            for (Map.Entry<? extends ExecutableElement, ? extends AnnotationValue> e : values.entrySet()) {
                if (!first) {
                    s.append(", ");
                }
                first = false;
                String member = e.getKey().getSimpleName().toString();
                if (!(values.size() == 1 && member.equals("value"))) {
                    s.append(member).append(" = ");
                }
                s.append(of(e.getValue()));
            }
            s.append(')');
        }
        return s.toString();
    }

    private String of(AnnotationValue value) {
        return value.accept(new ValueSource(), null);
    }

    /** One member value as a Java constant expression of its type. */
    private final class ValueSource extends SimpleAnnotationValueVisitor14<String, Void> {

        @Override
        protected String defaultAction(Object o, Void p) {
            return String.valueOf(o); // boolean, int
        }

        @Override
        public String visitByte(byte b, Void p) {
            return "(byte) " + b;
        }

        @Override
        public String visitShort(short v, Void p) {
            return "(short) " + v;
        }

        @Override
        public String visitLong(long v, Void p) {
            return v + "L";
        }

        @Override
        public String visitFloat(float v, Void p) {
            return Float.isNaN(v) ? "Float.NaN" : Float.isInfinite(v)
                    ? (v > 0 ? "Float.POSITIVE_INFINITY" : "Float.NEGATIVE_INFINITY") : v + "f";
        }

        @Override
        public String visitDouble(double v, Void p) {
            return Double.isNaN(v) ? "Double.NaN" : Double.isInfinite(v)
                    ? (v > 0 ? "Double.POSITIVE_INFINITY" : "Double.NEGATIVE_INFINITY") : v + "d";
        }

        @Override
        public String visitChar(char c, Void p) {
            if (c == '\'') {
                return "'\\''";
            }
            if (c == '"') {
                return "'\"'";
            }
            String quoted = JavaLiteral.of(String.valueOf(c));
            return "'" + quoted.substring(1, quoted.length() - 1) + "'";
        }

        @Override
        public String visitString(String v, Void p) {
            return JavaLiteral.of(v);
        }

        @Override
        public String visitType(TypeMirror t, Void p) {
            return types.erasure(t) + ".class";
        }

        @Override
        public String visitEnumConstant(VariableElement c, Void p) {
            return ((TypeElement) c.getEnclosingElement()).getQualifiedName() + "." + c.getSimpleName();
        }

        @Override
        public String visitAnnotation(AnnotationMirror nested, Void p) {
            return AnnotationSource.this.of(nested);
        }

        @Override
        public String visitArray(List<? extends AnnotationValue> values, Void p) {
            StringBuilder s = new StringBuilder("{");
            for (int i = 0; i < values.size(); i++) {
                if (i > 0) {
                    s.append(", ");
                }
                s.append(AnnotationSource.this.of(values.get(i)));
            }
            return s.append('}').toString();
        }
    }
}
