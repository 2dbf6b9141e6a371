package org.tokenpowerbench.engine.launch;

/**
 * The values of one trial that decide how a managed engine is started: what a preset maps to
 * the engine's own flags. Two trials with equal launch axes and equal engine values start the
 * same command, so one running engine serves both.
 *
 * @param model            the {@code @Model} value: a GGUF path, {@code synthetic:<shape>}, or a
 *                         model id / folder the engine loads
 * @param quantization     the {@code @Quantization} value (e.g. {@code f16}, {@code q8_0}, {@code fp8})
 * @param tensorParallel   tensor-parallel size, at least 1
 * @param pipelineParallel pipeline-parallel size, at least 1
 * @param dataParallel     data-parallel replicas, at least 1
 * @param slots            the most requests the server must hold at once (from {@code batch}, or the
 *                         open-loop bound)
 * @param contextPerSlot   tokens one sequence must hold (prompt plus output)
 * @param seed             the sweep's seed (synthetic weights are written from it)
 */
public record LaunchAxes(String model, String quantization, int tensorParallel, int pipelineParallel,
                         int dataParallel, int slots, int contextPerSlot, long seed) {

    public LaunchAxes {
        if (tensorParallel < 1 || pipelineParallel < 1 || dataParallel < 1 || slots < 1 || contextPerSlot < 1) {
            throw new IllegalArgumentException("launch axes must be at least 1: tp " + tensorParallel + ", pp "
                    + pipelineParallel + ", dp " + dataParallel + ", slots " + slots + ", context " + contextPerSlot);
        }
    }
}
