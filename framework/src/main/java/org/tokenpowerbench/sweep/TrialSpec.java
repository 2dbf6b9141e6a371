package org.tokenpowerbench.sweep;

import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import org.openjdk.jmh.annotations.Param;
import org.tokenpowerbench.jmh.BenchmarkSpec;

/**
 * A trial's {@link BenchmarkSpec} on the host, exactly as its fork will build it: the generated
 * class's own {@code benchmarkSpec()} on an instance whose {@code @Param} fields hold the trial's
 * values. So the host knows the constants of the annotated class too (a seed, a dataset's
 * {@code maxTokens}), which the trial's parameters do not carry, and derives slots and context
 * per slot through the same code as the fork rather than a copy of it.
 */
final class TrialSpec {

    private TrialSpec() {
    }

    /**
     * The spec of {@code trial}, or null when its benchmark is not a TokenPowerBench class (no
     * {@code benchmarkSpec()}).
     */
    static BenchmarkSpec of(Trial trial) {
        String benchmark = trial.benchmark();
        String className = benchmark.substring(0, benchmark.lastIndexOf('.'));
        try {
            Class<?> c = Class.forName(className, false, Thread.currentThread().getContextClassLoader());
            Method spec;
            try {
                spec = c.getMethod("benchmarkSpec");
            } catch (NoSuchMethodException e) {
                return null;
            }
            Object instance = c.getConstructor().newInstance();
            for (Field f : c.getFields()) {
                String value = trial.params().get(f.getName());
                if (f.isAnnotationPresent(Param.class) && value != null) {
                    f.set(instance, convert(f.getType(), value));
                }
            }
            return (BenchmarkSpec) spec.invoke(instance);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException("the benchmark " + className + " cannot describe its trial " + trial, e);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the benchmark " + className + " of trial " + trial
                    + " cannot be made on the host", e);
        }
    }

    /** A parameter's text as JMH turns it into the field's type. */
    private static Object convert(Class<?> type, String value) {
        if (type == String.class) {
            return value;
        }
        if (type == int.class || type == Integer.class) {
            return Integer.valueOf(value.trim());
        }
        if (type == long.class || type == Long.class) {
            return Long.valueOf(value.trim());
        }
        if (type == double.class || type == Double.class) {
            return Double.valueOf(value.trim());
        }
        if (type == float.class || type == Float.class) {
            return Float.valueOf(value.trim());
        }
        if (type == boolean.class || type == Boolean.class) {
            return Boolean.valueOf(value.trim());
        }
        throw new IllegalStateException("a generated @Param of type " + type + " is not known to the host");
    }
}
