package org.tokenpowerbench.report.html;

import java.util.Map;
import java.util.StringJoiner;
import org.tokenpowerbench.axes.Axis;
import org.tokenpowerbench.axes.AxisValues;

/**
 * The description a trial's rows carry in the run folder ({@code model=... batch=... }), made
 * from its JMH parameters by the axis table's own rules, so the page can join
 * {@code summary.json}'s results with the per-iteration lines of the same trial. Parameters that
 * are no axis (a user's own {@code @Param}) are not part of it, as in the fork.
 */
final class TrialDescription {

    private TrialDescription() {
    }

    static String of(Map<String, String> params) {
        AxisValues values = new AxisValues() {
            @Override
            public boolean has(Axis axis) {
                return params.containsKey(axis.paramName());
            }

            @Override
            public Object get(Axis axis) {
                String text = params.get(axis.paramName());
                if (text == null) {
                    return axis.defaultValue();
                }
                Object parsed = axis.type().parse(text);
                return parsed != null ? parsed : text;
            }
        };
        StringJoiner s = new StringJoiner(" ");
        for (Axis a : Axis.values()) {
            try {
                if (values.get(a) != null && a.shownIn(values)) {
                    s.add(a.describe(values.get(a)));
                }
            } catch (ClassCastException e) {
                // a value JMH could not have set (text in a number axis): it has no lines to join
                s.add(a.paramName() + "=" + params.get(a.paramName()));
            }
        }
        return s.toString();
    }
}
