package org.tokenpowerbench.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

class RequestBodyFieldsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aJsonObjectIsTakenAsItIs() throws Exception {
        RequestBodyFields f = RequestBodyFields.parse("requestFields",
                "{\"temperature\": 0.7, \"stop\": [\"\\n\\n\", \"END\"], \"chat_template_kwargs\": {\"thinking\": false}}");
        assertEquals(JSON.readTree("{\"temperature\":0.7,\"stop\":[\"\\n\\n\",\"END\"],"
                + "\"chat_template_kwargs\":{\"thinking\":false}}"), f.fields());
    }

    @Test
    void pairsSurviveTheCommandLineAndReadJsonWhereItIsJson() throws Exception {
        RequestBodyFields f = RequestBodyFields.parse("requestFields",
                "temperature=0.7; top_p=0.9;seed=7;cache_prompt=true;stop=[\"END\"];lora=my adapter;");
        assertEquals(JSON.readTree("{\"temperature\":0.7,\"top_p\":0.9,\"seed\":7,\"cache_prompt\":true,"
                + "\"stop\":[\"END\"],\"lora\":\"my adapter\"}"), f.fields());
        assertEquals(java.util.List.of("temperature", "top_p", "seed", "cache_prompt", "stop", "lora"),
                java.util.List.copyOf(f.names()));
    }

    @Test
    void noneIsEmpty() {
        for (String none : new String[] {"", " ", "{}", "none", null}) {
            assertSame(RequestBodyFields.NONE, RequestBodyFields.parse("requestFields", none));
        }
        assertTrue(RequestBodyFields.NONE.isEmpty());
    }

    @Test
    void theyReplaceTheClientsDefaultsButNeverTheMeasuringFields() throws Exception {
        ObjectNode body = JSON.createObjectNode().put("temperature", 0.0).put("max_tokens", 64);
        RequestBodyFields.parse("requestFields", "temperature=0.8;top_k=40").mergeInto(body);
        assertEquals(JSON.readTree("{\"temperature\":0.8,\"max_tokens\":64,\"top_k\":40}"), body);
        for (String controlled : new String[] {"max_tokens=5", "{\"stream\": false}", "model=x", "n=2",
                "min_tokens=1", "ignore_eos=false", "stream_options={}", "prompt=hi", "messages=[]", "best_of=3",
                "max_completion_tokens=9"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> RequestBodyFields.parse("requestFields", controlled), controlled);
            assertTrue(e.getMessage().startsWith("requestFields sets '"), e.getMessage());
            assertTrue(e.getMessage().contains("which the benchmark controls"), e.getMessage());
        }
    }

    @Test
    void badValuesNameWhatToWrite() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RequestBodyFields.parse("requestFields", "{\"temperature\": }"));
        assertTrue(e.getMessage().startsWith("requestFields={\"temperature\": } is not a JSON object"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> RequestBodyFields.parse("requestFields", "temperature"));
        assertTrue(e.getMessage().contains("'temperature' is not name=value"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> RequestBodyFields.parse("requestFields", "=3"));
        assertTrue(e.getMessage().contains("is not name=value"), e.getMessage());
    }

    @Test
    void theFieldsCannotBeChangedFromOutside() {
        RequestBodyFields f = RequestBodyFields.parse("requestFields", "seed=1");
        f.fields().put("seed", 2);
        assertEquals(1, f.fields().get("seed").asInt());
    }
}
