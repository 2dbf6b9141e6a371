package org.tokenpowerbench.prometheus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The text format as each engine writes it. The fixtures are our own, written in the shape of
 * each engine's documented output (names, labels, types), not copied from one.
 */
class ExpositionParserTest {

    @Test
    void vllmShapeWithLabelsTypesAndAHistogram() {
        Exposition e = ExpositionParser.parse("""
                # HELP vllm:num_requests_running Number of requests in model execution batches.
                # TYPE vllm:num_requests_running gauge
                vllm:num_requests_running{engine="0",model_name="m"} 3.0
                vllm:num_requests_running{engine="1",model_name="m"} 2.0
                # TYPE vllm:prompt_tokens_total counter
                vllm:prompt_tokens_total{engine="0",model_name="m"} 1200.0
                vllm:prompt_tokens_total{engine="1",model_name="m"} 800.0
                # TYPE vllm:e2e_request_latency_seconds histogram
                vllm:e2e_request_latency_seconds_bucket{engine="0",le="0.5",model_name="m"} 4.0
                vllm:e2e_request_latency_seconds_bucket{engine="0",le="+Inf",model_name="m"} 9.0
                vllm:e2e_request_latency_seconds_sum{engine="0",model_name="m"} 7.25
                vllm:e2e_request_latency_seconds_count{engine="0",model_name="m"} 9.0
                """);
        assertEquals(0, e.malformedLines());
        assertEquals(8, e.samples().size());
        assertEquals("gauge", e.types().get("vllm:num_requests_running"));
        assertEquals("histogram", e.types().get("vllm:e2e_request_latency_seconds"));
        assertEquals(2000.0, e.sum("vllm:prompt_tokens_total"), "a counter of the whole server sums its ranks");
        assertEquals(3.0, e.max("vllm:num_requests_running"));
        Sample bucket = e.samples().get(5);
        assertEquals(Map.of("engine", "0", "le", "+Inf", "model_name", "m"), bucket.labels());
        assertEquals(7.25, e.sum("vllm:e2e_request_latency_seconds_sum"));
        assertTrue(Double.isNaN(e.sum("vllm:absent")), "an absent series is NaN, never 0");
    }

    @Test
    void llamaCppShapeWithoutLabels() {
        Exposition e = ExpositionParser.parse("""
                # HELP llamacpp:prompt_tokens_total Number of prompt tokens processed.
                # TYPE llamacpp:prompt_tokens_total counter
                llamacpp:prompt_tokens_total 512
                # TYPE llamacpp:tokens_predicted_total counter
                llamacpp:tokens_predicted_total 64
                # TYPE llamacpp:requests_processing gauge
                llamacpp:requests_processing 1
                """);
        assertEquals(512.0, e.sum("llamacpp:prompt_tokens_total"));
        assertEquals(ServerFamily.LLAMA_CPP, ServerFamily.of(e));
        assertTrue(e.samples().get(0).labels().isEmpty());
    }

    @Test
    void sglangAndTgiAreRecognisedByTheirCounters() {
        assertEquals(ServerFamily.SGLANG, ServerFamily.of(ExpositionParser.parse(
                "sglang:prompt_tokens_total{model_name=\"q\",tp_rank=\"0\"} 10\nsglang:token_usage{model_name=\"q\"} 0.25\n")));
        Exposition tgi = ExpositionParser.parse("""
                # TYPE tgi_request_input_length histogram
                tgi_request_input_length_bucket{le="10"} 1
                tgi_request_input_length_sum 37
                tgi_request_input_length_count 4
                tgi_queue_size 0
                """);
        assertEquals(ServerFamily.TGI, ServerFamily.of(tgi));
        assertEquals(37.0, tgi.sum(ServerFamily.TGI.promptTokens()));
        assertNull(ServerFamily.of(ExpositionParser.parse("process_cpu_seconds_total 4\n")));
    }

    @Test
    void escapesSpecialValuesTimestampsAndBlanks() {
        Exposition e = ExpositionParser.parse(String.join("\r\n",
                "msdos_path{path=\"C:\\\\DIR\\\\F.TXT\",error=\"not found:\\n\\\"F.TXT\\\"\"} 1.5e3",
                "",
                "weird{a=\"1\",} +Inf -3982045",
                "down -Inf",
                "unknown_value NaN 1700000000000",
                "  spaced  { a = \"x\" }   2  ",
                "# a plain comment",
                "# EOF"));
        assertEquals(0, e.malformedLines());
        List<Sample> s = e.samples();
        assertEquals("C:\\DIR\\F.TXT", s.get(0).labels().get("path"));
        assertEquals("not found:\n\"F.TXT\"", s.get(0).labels().get("error"));
        assertEquals(1500.0, s.get(0).value());
        assertNull(s.get(0).timestampMs());
        assertEquals(Double.POSITIVE_INFINITY, s.get(1).value());
        assertEquals(-3982045L, s.get(1).timestampMs());
        assertEquals(Double.NEGATIVE_INFINITY, s.get(2).value());
        assertTrue(Double.isNaN(s.get(3).value()));
        assertEquals(1700000000000L, s.get(3).timestampMs());
        assertEquals(Map.of("a", "x"), s.get(4).labels());
    }

    @Test
    void anOpenMetricsExemplarIsPassedOver() {
        Exposition e = ExpositionParser.parse("foo_bucket{le=\"1\"} 17 # {trace_id=\"abc\"} 0.67 1520879607.789\n");
        assertEquals(0, e.malformedLines());
        assertEquals(17.0, e.sum("foo_bucket"));
    }

    @Test
    void eachBrokenLineIsSkippedAndCountedAndTheRestIsRead() {
        Exposition e = ExpositionParser.parse(String.join("\n",
                "good_one 1",
                "no_value",
                "unclosed{a=\"x} 1",
                "bad_escape{a=\"\\t\"} 1",
                "twice{a=\"1\",a=\"2\"} 1",
                "java_float 1f",
                "java_infinity_word Infinity2",
                "hex 0x10",
                "too many fields 1 2",
                "ts_not_integer 1 1.5",
                "9starts_with_digit 1",
                "label_colon{a:b=\"1\"} 1",
                "# TYPE broken_type nonsense",
                "# TYPE",
                "good_two 2"));
        assertEquals(13, e.malformedLines());
        assertEquals(List.of("good_one", "good_two"), e.samples().stream().map(Sample::name).toList());
        assertFalse(e.types().containsKey("broken_type"));
    }

    @Test
    void goStyleInfinityWordsAreValues() {
        assertEquals(Double.POSITIVE_INFINITY, ExpositionParser.value("Inf"));
        assertEquals(Double.NEGATIVE_INFINITY, ExpositionParser.value("-infinity"));
        assertEquals(0.5, ExpositionParser.value(".5"));
        assertTrue(Double.isNaN(ExpositionParser.value("1d")), "Java's suffix is not Go's number");
    }
}
