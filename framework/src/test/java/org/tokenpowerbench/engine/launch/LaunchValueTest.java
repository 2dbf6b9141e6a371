package org.tokenpowerbench.engine.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.tokenpowerbench.engine.EngineException;

/** The {@code launch:} value's options, and one line for every way to get them wrong. */
class LaunchValueTest {

    @Test
    void readsPresetAndOptions() {
        LaunchValue v = LaunchValue.parse(" LAUNCH:vllm; bin=/opt/vllm/bin/vllm ;args=--enforce-eager  --seed 3 ");
        assertEquals("vllm", v.preset());
        assertEquals("/opt/vllm/bin/vllm", v.bin());
        assertEquals(List.of("--enforce-eager", "--seed", "3"), v.args());
        assertNull(v.template());
        v = LaunchValue.parse("launch:command;cmd=srv --port {port};health=/ready;metrics=/metrics");
        assertEquals("srv --port {port}", v.template());
        assertEquals("/ready", v.health());
        assertEquals("/metrics", v.metrics());
        assertEquals(List.of(), LaunchValue.parse("launch:tgi").args());
    }

    private static String fail(String value) {
        return assertThrows(EngineException.class, () -> LaunchValue.parse(value)).getMessage();
    }

    @Test
    void refusesWithOneLine() {
        assertEquals("engine 'launch:vlm': 'vlm' is not a launch preset; use one of llama-server, vllm, sglang, tgi,"
                + " command, e.g. -p 'engine=launch:vllm'", fail("launch:vlm"));
        assertEquals("engine 'launch:vllm;gpus=2': option 'gpus=2' is not known; launch:vllm takes bin= and args=,"
                + " e.g. -p 'engine=launch:vllm;bin=/opt/vllm/bin/vllm'", fail("launch:vllm;gpus=2"));
        assertEquals("engine 'launch:vllm;cmd=x': option 'cmd=' belongs to the command preset; launch:vllm takes bin="
                + " and args=", fail("launch:vllm;cmd=x"));
        assertEquals("engine 'launch:command': the command preset needs cmd=, e.g. -p 'engine=launch:command;"
                + "cmd=my-server --model {model} --port {port}'", fail("launch:command"));
        assertEquals("engine 'launch:tgi;bin=': option 'bin=' is empty; give the executable's path, e.g."
                + " bin=/usr/local/bin/llama-server", fail("launch:tgi;bin="));
        assertEquals("engine 'launch:tgi;bin=a;bin=b' gives bin= twice: give one", fail("launch:tgi;bin=a;bin=b"));
        assertEquals("engine 'launch:tgi;args=a;args=b' gives args= twice: put every extra argument in one args=,"
                + " separated by spaces", fail("launch:tgi;args=a;args=b"));
        assertEquals("engine 'launch:command;cmd=s;health=ready': health=ready is not an HTTP path; give one that"
                + " starts with /, e.g. health=/health", fail("launch:command;cmd=s;health=ready"));
    }
}
