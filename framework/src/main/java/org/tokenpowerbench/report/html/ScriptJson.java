package org.tokenpowerbench.report.html;

/**
 * JSON placed in a page's {@code <script type="application/json">} block. Every {@code <} is
 * written as the JSON escape <code>&#92;u003c</code>, which reads back as the same character: so no text of
 * the run (a parameter value such as {@code </script>} or {@code <!--}) can end the block early or
 * open a comment that swallows the scripts after it. Outside strings JSON has no {@code <}.
 */
public final class ScriptJson {

    private ScriptJson() {
    }

    /** {@code json} made safe to stand between {@code <script type="application/json">} and {@code </script>}. */
    public static String embed(String json) {
        return json.replace("<", "\\u003c");
    }
}
