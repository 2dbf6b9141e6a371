package org.tokenpowerbench.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Where the OpenAI-compatible endpoint comes from. Becomes the JMH parameters {@code engine}
 * and {@code api}, so the same class runs against another server with
 * {@code -p engine=http://gpu-host:8000}.
 *
 * <p>{@link #value()} is {@code embedded} — llama.cpp in this JVM behind our own streaming HTTP
 * endpoint on a loopback port, so the whole HTTP path is measured — or the base URL
 * ({@code http://} or {@code https://}, without {@code /v1}) of any OpenAI-compatible server:
 * vLLM, SGLang, TGI, llama.cpp's {@code llama-server}, Ollama, TensorRT-LLM, NIM.
 *
 * <p>Another kind of engine, added by a jar on the class path through
 * {@code org.tokenpowerbench.engine.EngineProvider}, is named by its scheme: {@code <scheme>:<options>}.
 * The compiler checks only that a value has a scheme; whether a provider knows it is checked before
 * the first trial, with the known schemes listed.
 *
 * <p>Defaults (annotation absent): {@code embedded}, the {@code completions} API, no API key.
 * Limits: one API per class; an unknown scheme is found at run time, not compile time.
 *
 * <pre>{@code
 * @Engine(value = "http://localhost:8000", api = "chat", apiKeyEnv = "OPENAI_API_KEY")
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface Engine {
    /** {@code embedded}, or the base URL of a server; several make a sweep. */
    String[] value() default {"embedded"};

    /** {@code completions} ({@code /v1/completions}) or {@code chat} ({@code /v1/chat/completions}). */
    String api() default "completions";

    /**
     * Name of the environment variable that holds the API key, sent as a bearer token. The key
     * itself is never printed, never written to results, never a {@code -p} value.
     * Empty: no key.
     */
    String apiKeyEnv() default "";
}
