/**
 * Reading and writing GGUF model files, and synthetic models with random weights.
 *
 * <p>The energy of LLM inference depends on the shape of a model (its dimensions, layer count,
 * vocabulary size and weight encoding), not on the values of its weights. This package therefore
 * writes its own GGUF files with seeded random weights in the exact layout llama.cpp expects for a
 * named architecture, so that benchmarks can run without downloading anything:
 * <ul>
 *   <li>{@link org.tokenpowerbench.engine.gguf.GgufWriter} streams a GGUF v3 file to disk;</li>
 *   <li>{@link org.tokenpowerbench.engine.gguf.GgufReader} reads the header, metadata and tensor
 *       infos of any GGUF v2/v3 file;</li>
 *   <li>{@link org.tokenpowerbench.engine.gguf.SyntheticModel} knows the named
 *       {@link org.tokenpowerbench.engine.gguf.ModelShape shapes} and writes a model of one;</li>
 *   <li>{@link org.tokenpowerbench.engine.gguf.SyntheticModelCache} keeps written models in the
 *       user's cache directory so that each one is generated once per machine.</li>
 * </ul>
 */
package org.tokenpowerbench.engine.gguf;
