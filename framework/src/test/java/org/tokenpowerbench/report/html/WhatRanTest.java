package org.tokenpowerbench.report.html;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report's "What ran" says how the trials were measured, from the sweep's ledger. */
class WhatRanTest {

    @TempDir
    Path run;

    @Test
    void theLedgersSettingsAreShownOnceEachAndAFolderWithoutThemSaysSo() throws Exception {
        assertEquals(List.of(), ReportPage.settings(run), "no trials.jsonl");
        String settings = "-wi 1 -i 3 -f 3 -prof org.tokenpowerbench.jmh.PowerProfiler:sensor=nvml";
        Files.writeString(run.resolve("trials.jsonl"),
                "{\"trial\":1,\"benchmark\":\"b\",\"params\":{},\"status\":\"complete\"}\n"         // before settings were kept
                + "{\"trial\":1,\"benchmark\":\"b\",\"params\":{},\"status\":\"complete\",\"settings\":\"" + settings + "\"}\n"
                + "{\"trial\":2,\"benchmark\":\"b\",\"params\":{},\"status\":\"failed\",\"settings\":\"" + settings + "\"}\n");
        assertEquals(List.of(settings), ReportPage.settings(run));
        Files.writeString(run.resolve("trials.jsonl"), "{\"trial\":3,\"benchmark\":\"b\",\"params\":{},\"status\":\"complete\","
                + "\"settings\":\"-wi 0 -i 1 -f 1\"}\n", java.nio.file.StandardOpenOption.APPEND);
        assertEquals(List.of(settings, "-wi 0 -i 1 -f 1"), ReportPage.settings(run));
    }
}
