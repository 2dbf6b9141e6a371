package org.tokenpowerbench.power;

/** Where in the machine a number was measured. Every energy figure carries one. */
public enum Scope {
    GPU, CPU, DRAM, NODE, CLUSTER;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
