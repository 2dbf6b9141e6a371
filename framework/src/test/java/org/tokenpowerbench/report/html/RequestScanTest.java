package org.tokenpowerbench.report.html;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * One pass over {@code requests.csv} ({@link HtmlReportTest}'s sweep: 3 trials × 3 measured waves ×
 * 4 requests): every wave is kept for drawing up to the limit of requests, past it the last wave of
 * each trial, in the order the trials first appear, as many as fit in the limit; the latency values
 * are every succeeded request of the trial either way.
 */
@ExtendWith(FixedInvocation.class)
class RequestScanTest {

    @TempDir
    Path dir;

    @BeforeEach
    void writeRunFolder() {
        HtmlReportTest.writeSweep(dir);
    }

    @Test
    void upToTheLimitEveryWaveIsKeptPastItTheLastOfEachTrial() {
        RequestScan all = RequestScan.read(dir, 36);
        assertEquals(9, all.measuredWaves());
        assertEquals(36, all.measuredRequests());
        assertEquals(9, all.drawn().size(), "36 requests are not more than 36: every wave");
        assertEquals(List.of("measurement-1", "measurement-2", "measurement-3"),
                all.drawn().subList(0, 3).stream().map(MeasuredWave::iteration).toList());

        RequestScan last = RequestScan.read(dir, 35);
        assertEquals(9, last.measuredWaves());
        assertEquals(List.of(HtmlReportTest.describe(1), HtmlReportTest.describe(2), HtmlReportTest.describe(4)),
                last.drawn().stream().map(MeasuredWave::trial).toList(), "one wave per trial, in the trials' order");
        assertEquals(List.of("measurement-3", "measurement-3", "measurement-3"),
                last.drawn().stream().map(MeasuredWave::iteration).toList(), "each trial's last wave");
        last.drawn().forEach(w -> assertEquals(4, w.requests().size(), "a kept wave keeps all its requests"));

        RequestScan fewer = RequestScan.read(dir, 5);
        assertEquals(List.of(HtmlReportTest.describe(1) + " measurement-3"),
                fewer.drawn().stream().map(w -> w.trial() + " " + w.iteration()).toList(),
                "as many trials' last waves as fit in the limit, at least one: here the first trial's");
        assertEquals(36, fewer.measuredRequests());

        for (RequestScan scan : List.of(all, last, fewer)) {
            assertEquals(3, scan.latency().size());
            scan.latency().values().forEach(l -> {
                assertEquals(12, l.ttftMs().length, "every succeeded measured request of the trial");
                assertEquals(12, l.tpotMs().length);
            });
        }
    }

    @Test
    void aLineWithoutQuotesSplitsAsAQuotedOneDoes() {
        for (String line : List.of("a,,b c,", ",", "one", "t1,measurement-1,0,0.000,,,unknown,0,")) {
            assertEquals(CsvFile.split(line), List.of(CsvFile.plain(line)), line);
        }
        assertEquals(List.of("a", "", "b c", ""), List.of(CsvFile.plain("a,,b c,")), "empty fields kept, the last too");
    }
}
