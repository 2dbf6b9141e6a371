package org.tokenpowerbench.power.nvml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.Memory;
import com.sun.jna.NativeLong;
import com.sun.jna.Structure;
import com.sun.jna.Union;
import java.nio.ByteOrder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class NvmlFieldsTest {

    @BeforeAll
    static void littleEndian() {
        assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN, "hand-built bytes are little-endian");
    }

    /** The C declaration from nvml.h, laid out by JNA's own rules, as an independent check. */
    @Structure.FieldOrder({"dVal", "uiVal", "ulVal", "ullVal", "sllVal", "siVal", "usVal"})
    public static class ValueUnion extends Union {
        public double dVal;
        public int uiVal;
        public NativeLong ulVal;
        public long ullVal;
        public long sllVal;
        public int siVal;
        public short usVal;
    }

    @Structure.FieldOrder({"fieldId", "scopeId", "timestamp", "latencyUsec", "valueType", "nvmlReturn", "value"})
    public static class FieldValueStruct extends Structure {
        public int fieldId;
        public int scopeId;
        public long timestamp;
        public long latencyUsec;
        public int valueType;
        public int nvmlReturn;
        public ValueUnion value;

        int offsetOf(String field) {
            return fieldOffset(field);
        }
    }

    @Test
    void layoutMatchesTheCDeclaration() {
        FieldValueStruct s = new FieldValueStruct();
        assertEquals(40, s.size());
        assertEquals(40, NvmlFields.SIZE);
        assertEquals(NvmlFields.FIELD_ID, s.offsetOf("fieldId"));
        assertEquals(NvmlFields.SCOPE_ID, s.offsetOf("scopeId"));
        assertEquals(NvmlFields.TIMESTAMP, s.offsetOf("timestamp"));
        assertEquals(NvmlFields.LATENCY, s.offsetOf("latencyUsec"));
        assertEquals(NvmlFields.VALUE_TYPE, s.offsetOf("valueType"));
        assertEquals(NvmlFields.RETURN, s.offsetOf("nvmlReturn"));
        assertEquals(NvmlFields.VALUE, s.offsetOf("value"));
    }

    /** Writes {@code bytes} (little-endian groups as the driver would) into entry {@code index}. */
    private static void put(Memory m, long offset, long value, int width) {
        for (int b = 0; b < width; b++) {
            m.setByte(offset + b, (byte) (value >>> (8 * b)));
        }
    }

    private static Memory entry(int index, int fieldId, int scopeId, long ts, long latency, int type, int ret,
                                long valueBits, int valueWidth) {
        Memory m = new Memory((long) NvmlFields.SIZE * (index + 1));
        for (long i = 0; i < m.size(); i++) {
            m.setByte(i, (byte) 0xAB); // garbage everywhere, as uninitialised memory would hold
        }
        long base = (long) index * 40;
        put(m, base, fieldId, 4);
        put(m, base + 4, scopeId, 4);
        put(m, base + 8, ts, 8);
        put(m, base + 16, latency, 8);
        put(m, base + 24, type, 4);
        put(m, base + 28, ret, 4);
        put(m, base + 32, valueBits, valueWidth);
        return m;
    }

    @Test
    void decodesEveryHeaderMemberAndAnUnsignedIntPower() {
        Memory m = entry(1, 186, 0, 1_763_000_000_123_456L, 37, 1, 0, 0x000A_AE60L /* 700000 mW */, 4);
        NvmlFieldValue v = NvmlFields.read(m, 1);
        assertEquals(186, v.fieldId());
        assertEquals(0, v.scopeId());
        assertEquals(1_763_000_000_123_456L, v.timestampMicros());
        assertEquals(37, v.latencyMicros());
        assertEquals(NvmlValueType.UNSIGNED_INT, v.valueType());
        assertTrue(v.ok());
        assertEquals(700_000.0, v.value());
    }

    @Test
    void unsignedIntAboveTwoToThe31IsNotNegative() {
        NvmlFieldValue v = NvmlFields.read(entry(0, 186, 0, 0, 0, 1, 0, 0xFFFF_FFFEL, 4), 0);
        assertEquals(4_294_967_294.0, v.value());
    }

    @Test
    void signedIntKeepsItsSign() {
        NvmlFieldValue v = NvmlFields.read(entry(0, 1, 0, 0, 0, 5, 0, -42L, 4), 0);
        assertEquals(NvmlValueType.SIGNED_INT, v.valueType());
        assertEquals(-42.0, v.value());
    }

    @Test
    void doubleIsReadFromAllEightBytes() {
        long bits = Double.doubleToLongBits(612.375);
        NvmlFieldValue v = NvmlFields.read(entry(0, 1, 0, 0, 0, 0, 0, bits, 8), 0);
        assertEquals(NvmlValueType.DOUBLE, v.valueType());
        assertEquals(612.375, v.value());
    }

    @Test
    void unsignedLongLongBeyondLongMaxKeepsItsMagnitude() {
        NvmlFieldValue v = NvmlFields.read(entry(0, 191, 0, 0, 0, 3, 0, 0xFFFF_FFFF_FFFF_FFFFL, 8), 0);
        assertEquals(NvmlValueType.UNSIGNED_LONG_LONG, v.valueType());
        assertEquals(18_446_744_073_709_551_615.0, v.value());
        NvmlFieldValue small = NvmlFields.read(entry(0, 191, 0, 0, 0, 3, 0, 123_456_789_012L, 8), 0);
        assertEquals(123_456_789_012.0, small.value());
    }

    @Test
    void signedLongLongIsSigned() {
        NvmlFieldValue v = NvmlFields.read(entry(0, 1, 0, 0, 0, 4, 0, -5_000_000_000L, 8), 0);
        assertEquals(-5_000_000_000.0, v.value());
    }

    @Test
    void unsignedLongFollowsThePlatformLongWidth() {
        NvmlFieldValue v = NvmlFields.read(entry(0, 1, 0, 0, 0, 2, 0, 0x1_0000_0005L, 8), 0);
        double expected = com.sun.jna.Native.LONG_SIZE == 8 ? 0x1_0000_0005L : 5;
        assertEquals(expected, v.value());
    }

    @Test
    void unsignedShortIgnoresTheOtherBytesOfTheUnion() {
        NvmlFieldValue v = NvmlFields.read(entry(0, 1, 0, 0, 0, 6, 0, 0xFFFF, 2), 0);
        assertEquals(NvmlValueType.UNSIGNED_SHORT, v.valueType());
        assertEquals(65_535.0, v.value());
    }

    @Test
    void aFailedFieldHasNoValueEvenWhenTheUnionHoldsBytes() {
        NvmlFieldValue v = NvmlFields.read(entry(0, 186, 0, 0, 0, 1, NvmlReturn.NOT_SUPPORTED, 700_000, 4), 0);
        assertFalse(v.ok());
        assertEquals(NvmlReturn.NOT_SUPPORTED, v.returnCode());
        assertTrue(Double.isNaN(v.value()));
    }

    @Test
    void anUnknownValueTypeIsNotOk() {
        NvmlFieldValue v = NvmlFields.read(entry(0, 186, 0, 0, 0, 7, 0, 1, 4), 0);
        assertNull(v.valueType());
        assertFalse(v.ok());
        assertTrue(Double.isNaN(v.value()));
    }

    @Test
    void writeRequestZeroesTheEntryAndSetsIdAndScopeOnly() {
        Memory m = new Memory(80);
        for (long i = 0; i < 80; i++) {
            m.setByte(i, (byte) 0x5A);
        }
        NvmlFields.writeRequest(m, 1, 186, 1);
        for (long i = 0; i < 40; i++) {
            assertEquals((byte) 0x5A, m.getByte(i), "entry 0 untouched at byte " + i);
        }
        assertEquals(186, m.getInt(40));
        assertEquals(1, m.getInt(44));
        for (long i = 48; i < 80; i++) {
            assertEquals(0, m.getByte(i), "byte " + i + " zeroed");
        }
    }
}
