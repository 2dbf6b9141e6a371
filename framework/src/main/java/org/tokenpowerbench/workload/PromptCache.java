package org.tokenpowerbench.workload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.tokenpowerbench.UserError;
import org.tokenpowerbench.client.Tokenizer;

/**
 * Synthetic prompts kept in the run folder ({@code prompt-cache/<hash>.json}) so that building them
 * costs tokenizer traffic once per model and length, not once per trial. JMH runs every trial in a
 * forked JVM of its own, so a cache in memory would not outlive the trial; the run folder is what
 * the forks of one sweep share, and it is never the user's home, so one run's prompts cannot leak
 * into another run's measurement unseen.
 *
 * <p><b>Key.</b> Everything {@link PromptSet#synthetic(Tokenizer, int[], long, String)}'s output depends
 * on: the served model (as the trial names it, with its quantization and engine), the tokenizer's
 * identity ({@link Tokenizer#description()}: the server's {@code /tokenize} URL, the
 * {@code tokenizer.json} path or the embedded GGUF), the special tokens it adds, the seed, every
 * prompt's length in order (their number is the count, measured and warm-up together) and
 * {@link PromptSet#GENERATOR}, the version of the text generator itself. The file holds the key
 * as well as its hash, and an entry whose key differs is not used.
 *
 * <p><b>Check.</b> A cached entry is believed after one tokenizer call: its longest prompt is
 * counted again and must give the count it was stored with (the longest, because it has the most
 * text in which a changed tokenizer could differ). An entry that is unreadable, does not match its
 * key, or fails the check is discarded with one line on standard error and the prompts are built
 * afresh; a cache that cannot be written costs a line, never the trial.
 *
 * <p>Off with {@code -Dtpb.promptCache=off} ({@value #PROPERTY}).
 */
public final class PromptCache {

    /** The system property that turns the cache off ({@code off}) or on ({@code on}, the default). */
    public static final String PROPERTY = "tpb.promptCache";
    /** The cache's folder inside the run folder. */
    public static final String FOLDER = "prompt-cache";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final PromptCache OFF = new PromptCache(null, "", System.err);

    private final Path folder;
    private final String model;
    private final PrintStream log;

    private PromptCache(Path folder, String model, PrintStream log) {
        this.folder = folder;
        this.model = model;
        this.log = log;
    }

    /** No cache: every trial builds its prompts. */
    public static PromptCache off() {
        return OFF;
    }

    /**
     * The cache in {@code runFolder}'s {@value #FOLDER} for prompts of {@code model}, or {@link #off()}
     * when {@value #PROPERTY} says so.
     *
     * @param model the served model as the trial names it (model, quantization, engine value): part of the key
     * @throws UserError when {@value #PROPERTY} is neither on nor off
     */
    public static PromptCache in(Path runFolder, String model) {
        return enabled(System.getProperty(PROPERTY)) ? new PromptCache(runFolder.resolve(FOLDER), model, System.err) : OFF;
    }

    /** As {@link #in}, whatever the system property, lines to {@code log}: for tests. */
    static PromptCache in(Path runFolder, String model, PrintStream log) {
        return new PromptCache(runFolder.resolve(FOLDER), model, log);
    }

    /**
     * {@value #PROPERTY}: absent, {@code on} or {@code true} keeps the cache; {@code off} or {@code false} turns it off.
     *
     * @throws UserError for any other value, naming it
     */
    static boolean enabled(String value) {
        if (value == null) {
            return true;
        }
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (v.equals("on") || v.equals("true")) {
            return true;
        }
        if (v.equals("off") || v.equals("false")) {
            return false;
        }
        throw new UserError(PROPERTY + "=" + value + " is neither on nor off: give -D" + PROPERTY
                + "=off to build the prompts afresh in every trial, or leave it out");
    }

    public boolean isOn() {
        return folder != null;
    }

    /** What a cached prompt set is looked up by; see the class comment for why each part is there. */
    record Key(String model, String tokenizer, int specialTokens, long seed, int[] lengths, int generator) {

        Key {
            lengths = lengths.clone();
        }

        ObjectNode json() {
            ObjectNode k = JSON.createObjectNode();
            k.put("model", model);
            k.put("tokenizer", tokenizer);
            k.put("specialTokens", specialTokens);
            k.put("seed", seed);
            ArrayNode l = k.putArray("lengths");
            Arrays.stream(lengths).forEach(l::add);
            k.put("generator", generator);
            return k;
        }

        /** SHA-256 of the key's JSON, 16 hex digits: the file's name. */
        String hash() {
            try {
                byte[] d = MessageDigest.getInstance("SHA-256").digest(json().toString().getBytes(StandardCharsets.UTF_8));
                return HexFormat.of().formatHex(d, 0, 8);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every Java runtime has SHA-256", e);
            }
        }
    }

    /** The prompts and how they were had: from the cache (with its one check call) or built. */
    record Found(PromptSet prompts, boolean cached) {
    }

    /**
     * The prompts of {@code lengths} in {@code tokenizer} with {@code seed}: from the cache when an
     * entry passes its check, else built (and stored).
     */
    Found synthetic(Tokenizer tokenizer, int[] lengths, long seed, String lengthName) {
        if (!isOn()) {
            return new Found(PromptSet.synthetic(tokenizer, lengths, seed, lengthName), false);
        }
        Key key = new Key(model, tokenizer.description(), tokenizer.specialTokensAdded(), seed, lengths,
                PromptSet.GENERATOR);
        Path file = folder.resolve(key.hash() + ".json");
        PromptSet cached = read(file, key, tokenizer);
        if (cached != null) {
            return new Found(cached, true);
        }
        PromptSet built = PromptSet.synthetic(tokenizer, lengths, seed, lengthName);
        write(file, key, built, lengths);
        return new Found(built, false);
    }

    /** The entry in {@code file} when it is there, whole, of {@code key}, and passes its check; else null. */
    private PromptSet read(Path file, Key key, Tokenizer tokenizer) {
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            return null;
        } catch (IOException e) {
            log.println("tokenpowerbench: prompt cache " + file + " cannot be read (" + e.getMessage()
                    + "); building the prompts afresh");
            return null;
        }
        if (root == null || !key.json().toString().equals(root.path("key").toString())) { // as text: 5 read back is an int, written a long
            log.println("tokenpowerbench: prompt cache " + file + " does not hold the prompts it is named for"
                    + " (its key differs); building the prompts afresh");
            return null;
        }
        List<String> prompts = new ArrayList<>();
        root.path("prompts").forEach(p -> prompts.add(p.isTextual() ? p.asText() : null));
        int[] tokens = new int[root.path("tokens").size()];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = root.path("tokens").get(i).asInt(-1);
        }
        if (prompts.size() != key.lengths().length || prompts.contains(null) || !Arrays.equals(tokens, key.lengths())) {
            log.println("tokenpowerbench: prompt cache " + file + " is incomplete or damaged (" + prompts.size()
                    + " prompts for " + key.lengths().length + " lengths); building the prompts afresh");
            return null;
        }
        int longest = 0;
        for (int i = 1; i < prompts.size(); i++) {
            if (prompts.get(i).length() > prompts.get(longest).length()) {
                longest = i;
            }
        }
        int now = tokenizer.promptTokens(prompts.get(longest));
        if (now != tokens[longest]) {
            log.println("tokenpowerbench: prompt cache " + file + ": prompt " + longest + " counts " + now
                    + " tokens with " + tokenizer.description() + " now, " + tokens[longest]
                    + " when it was cached (the tokenizer changed); building the prompts afresh");
            return null;
        }
        boolean same = Arrays.stream(tokens).allMatch(t -> t == tokens[0]);
        return new PromptSet(prompts, same ? tokens[0] : -1, tokenizer.description());
    }

    /** Stores {@code set} under {@code key}: whole or not at all (a temporary file moved over the target). */
    private void write(Path file, Key key, PromptSet set, int[] lengths) {
        ObjectNode root = JSON.createObjectNode();
        root.set("key", key.json());
        ArrayNode prompts = root.putArray("prompts");
        set.prompts().forEach(prompts::add);
        ArrayNode tokens = root.putArray("tokens");
        Arrays.stream(lengths).forEach(tokens::add);
        Path tmp = file.resolveSibling("." + file.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        try {
            Files.createDirectories(file.getParent());
            Files.write(tmp, JSON.writeValueAsBytes(root));
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the line below says the cache was not written; a stray temporary file is named by it
            }
            log.println("tokenpowerbench: cannot write the prompt cache " + file + " (" + e.getMessage()
                    + "); the next trial builds its prompts again");
        }
    }
}
