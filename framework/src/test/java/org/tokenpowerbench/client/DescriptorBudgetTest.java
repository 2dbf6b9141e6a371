package org.tokenpowerbench.client;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.tokenpowerbench.UserError;

/** A wave that would run out of descriptors is one line naming the limit, the need and {@code ulimit -n}. */
class DescriptorBudgetTest {

    @Test
    void tenThousandStreamsUnderAFourThousandLimitIsOneLine() {
        DescriptorBudget budget = new DescriptorBudget(4096, 45);
        UserError e = assertThrows(UserError.class, () -> budget.check("batch=10000", 10_000, 1));
        String m = e.getMessage();
        assertTrue(m.startsWith("batch=10000 needs about 10,173 open files (10,000 streams x 1 socket, 45 open now, 128"
                + " spare) but this process may open only 4,096"), m);
        assertTrue(m.contains("'ulimit -n 11000'"), m);
        assertTrue(m.endsWith("or lower batch"), m);
        assertEquals(-1, m.indexOf('\n'));
    }

    @Test
    void anInProcessEngineDoublesWhatAStreamHolds() {
        DescriptorBudget budget = new DescriptorBudget(4096, 100);
        assertEquals(100 + 2 * 2000 + DescriptorBudget.SPARE, budget.need(2000, 2));
        UserError e = assertThrows(UserError.class, () -> budget.check("batch=2000", 2000, 2));
        assertTrue(e.getMessage().contains("2,000 streams x 2 sockets"), e.getMessage());
        assertDoesNotThrow(() -> budget.check("batch=2000", 2000, 1), "one socket a stream fits");
    }

    @Test
    void exactlyAtTheLimitFitsAndOneMoreDoesNot() {
        DescriptorBudget budget = new DescriptorBudget(1000, 72);
        assertDoesNotThrow(() -> budget.check("batch=800", 800, 1));
        assertThrows(UserError.class, () -> budget.check("batch=801", 801, 1));
    }

    @Test
    void aPlatformWithoutALimitChecksNothing() {
        assertDoesNotThrow(() -> new DescriptorBudget(-1, 0).check("batch=1000000", 1_000_000, 2));
    }

    @Test
    void thisProcessHasALimitAndSomeFilesOpen() {
        DescriptorBudget here = DescriptorBudget.ofThisProcess();
        assertTrue(here.limit() > 0, "Linux says its RLIMIT_NOFILE: " + here);
        assertTrue(here.open() > 0 && here.open() <= here.limit(), here.toString());
    }
}
