package org.tokenpowerbench.engine;

import de.kherud.llama.LlamaModel;
import de.kherud.llama.ModelParameters;
import java.io.IOException;
import java.nio.file.Path;
import org.tokenpowerbench.client.Endpoint;
import org.tokenpowerbench.client.Tokenizer;
import org.tokenpowerbench.engine.gguf.GgufFile;
import org.tokenpowerbench.engine.gguf.GgufReader;

/**
 * llama.cpp in this JVM (through {@code de.kherud:llama}, CPU build), with one parallel slot per
 * request in flight and continuous batching, behind {@link EmbeddedServer} on a loopback port.
 *
 * <p>System properties: {@code tpb.embedded.threads} (default: all cores),
 * {@code tpb.embedded.port} (default 0: any free port), {@code tpb.embedded.log=true} to see
 * llama.cpp's own log on the console; by default it goes to the run folder
 * ({@link EmbeddedEngineLog}).
 */
final class EmbeddedEngine implements RunningEngine {

    static {
        // The JDK's HTTP server leaves Nagle's algorithm on unless told otherwise: each stream's
        // first small event then waits ~40 ms for an ACK (measured: TTFT 45 ms instead of 9 ms),
        // and the tokens behind it arrive in a burst, moving decode time into "prefill". Read
        // once, when the server classes load, so it must be set before the first server starts.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    /** Where the free memory is read before a context is asked for ({@link KvCache#available}). */
    private static final Path MEMINFO = Path.of("/proc/meminfo");

    private final LlamaModel model;
    private final EmbeddedServer server;
    private final Endpoint endpoint;
    private final String description;

    private EmbeddedEngine(LlamaModel model, EmbeddedServer server, Endpoint endpoint, String description) {
        this.model = model;
        this.server = server;
        this.endpoint = endpoint;
        this.description = description;
    }

    static EmbeddedEngine start(String modelSpec, String quantization, int slots, int contextPerSlot) {
        Path file = ModelFile.resolve(modelSpec, quantization);
        int threads = Integer.getInteger("tpb.embedded.threads", Runtime.getRuntime().availableProcessors());
        int port = Integer.getInteger("tpb.embedded.port", 0);
        int bos;
        int bosId;
        GgufFile gguf;
        try {
            gguf = GgufReader.read(file);
            bos = gguf.addsBosToken() ? 1 : 0;
            bosId = (int) gguf.getLong("tokenizer.ggml.bos_token_id").orElse(1);
        } catch (IOException | RuntimeException e) {
            throw new EngineException("model file '" + file + "' cannot be read as GGUF: " + e.getMessage());
        }
        // The KV cache is shared by all slots, and this llama.cpp places each micro-batch in one run of
        // free cells. Slots keep their last request's cells, so after some hundred waves the free cells
        // were scattered and a joint prefill of several prompts found no run long enough: a 30-minute
        // soak (batch 4, 128 + 64 tokens) failed in wave 479 with "Input prompt is too big compared to
        // KV size" although half again as much room as needed was there. So: twice the room, one
        // slot's context per micro-batch (a much shorter run to find), and defragmentation on.
        int perSlot = Math.max(64, contextPerSlot);
        long tokens = 2L * slots * perSlot;
        int microBatch = Math.min(512, perSlot);
        String tooLarge = KvCache.of(gguf, tokens, microBatch).tooLarge(slots, perSlot, KvCache.available(MEMINFO));
        if (tooLarge != null) {
            throw new EngineException(tooLarge);
        }
        if (tokens > Integer.MAX_VALUE) {
            throw new EngineException("the embedded engine would need a context of " + tokens + " tokens for batch=" + slots
                    + " (" + slots + " slots of " + perSlot + " tokens, doubled), more than llama.cpp takes: lower batch"
                    + " or the prompt and output lengths");
        }
        int ctx = (int) tokens;
        EmbeddedEngineLog.prepare();
        LlamaModel model;
        try {
            model = new LlamaModel(new ModelParameters()
                    .setModel(file.toString())
                    .setParallel(slots)
                    .enableContBatching()
                    .setCtxSize(ctx)
                    .setBatchSize(Math.max(512, contextPerSlot))
                    .setUbatchSize(microBatch)
                    .setDefragThold(0.1f)
                    .setThreads(threads)
                    .setGpuLayers(0));
        } catch (RuntimeException e) {
            throw new EngineException("llama.cpp could not load '" + file + "' with a context of " + ctx + " tokens: "
                    + e.getMessage() + " (is it a complete GGUF file of an architecture llama.cpp supports,"
                    + " and does this machine have the memory for its weights and that context?)");
        }
        EmbeddedServer server;
        try {
            server = new EmbeddedServer(model, modelSpec, bos == 1 ? bosId : -1, port, slots + 2);
        } catch (IOException | RuntimeException e) {
            model.close();
            if (e instanceof EngineException ee) {
                throw ee;
            }
            throw new EngineException("cannot start the embedded HTTP endpoint: " + e.getMessage());
        }
        Tokenizer tokenizer = new Tokenizer() {
            @Override
            public int[] encode(String text) {
                return model.encode(text);
            }

            @Override
            public int specialTokensAdded() {
                return bos;
            }

            @Override
            public String description() {
                return "embedded llama.cpp vocabulary of " + file.getFileName();
            }
        };
        Endpoint endpoint = new Endpoint(server.baseUrl(), modelSpec, null, tokenizer);
        String description = "embedded llama.cpp (" + slots + " slots, " + threads + " threads, ctx " + ctx + ") serving "
                + file + " at " + server.baseUrl() + "; " + EmbeddedEngineLog.where();
        return new EmbeddedEngine(model, server, endpoint, description);
    }

    @Override
    public Endpoint endpoint() {
        return endpoint;
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public void close() {
        try {
            server.close();
        } finally {
            model.close();
        }
    }
}
