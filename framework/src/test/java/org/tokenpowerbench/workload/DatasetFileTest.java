package org.tokenpowerbench.workload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tokenpowerbench.client.ChatMessage;
import org.tokenpowerbench.client.Tokenizer;

/** JSONL and ShareGPT files written here, by hand; no third-party data set. */
class DatasetFileTest {

    /** One token per word, plus a begin-of-sequence token on prompts. */
    static final Tokenizer WORDS = new Tokenizer() {
        @Override
        public int[] encode(String text) {
            String t = text.strip();
            return t.isEmpty() ? new int[0] : new int[t.split("\\s+").length];
        }

        @Override
        public int specialTokensAdded() {
            return 1;
        }

        @Override
        public String description() {
            return "test word tokenizer";
        }
    };

    @TempDir
    Path dir;

    private Path write(String name, String... lines) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        return p;
    }

    private IllegalArgumentException fails(Path p) {
        return assertThrows(IllegalArgumentException.class, () -> DatasetFile.read(p));
    }

    // --- JSONL -----------------------------------------------------------------------------------

    @Test
    void jsonlPromptsMessagesAndOutputLengths() throws IOException {
        Path p = write("mixed.jsonl",
                "{\"prompt\": \"one two three\", \"output_tokens\": 5}",
                "",
                "{\"messages\": [{\"role\": \"system\", \"content\": \"be brief\"}, {\"role\": \"user\", \"content\": \"why sky blue\"}]}",
                "{\"prompt\": \"four five\", \"id\": 17}");
        DatasetFile f = DatasetFile.read(p);
        assertEquals("jsonl", f.format());
        assertEquals(3, f.entries().size());
        assertEquals(List.of(1, 3, 4), f.entries().stream().map(DatasetFile.Entry::line).toList());
        DatasetFile.Entry chat = f.entries().get(1);
        assertEquals(List.of(new ChatMessage("system", "be brief"), new ChatMessage("user", "why sky blue")), chat.messages());
        assertEquals("be brief\n\nwhy sky blue", chat.prompt(), "the completions API gets the contents");

        PromptSet set = f.sample(WORDS, 3, 1, 2048, 16);
        assertEquals(3, set.size());
        assertEquals(-1, set.tokensEach());
        for (int i = 0; i < 3; i++) {
            String prompt = set.get(i);
            int expected = prompt.equals("one two three") ? 5 : 16;
            assertEquals(expected, set.outputTokens(i, 99), prompt);
            assertEquals(prompt.startsWith("be brief") ? 2 : 0, set.request(i, 99).messages().size());
        }
        assertEquals(new HashSet<>(List.of("one two three", "be brief\n\nwhy sky blue", "four five")),
                new HashSet<>(set.prompts()));
        assertTrue(set.tokenizedBy().contains("3 prompts sampled with seed 1 from 3 entries"), set.tokenizedBy());
        assertTrue(set.tokenizedBy().contains("lengths in test word tokenizer"), set.tokenizedBy());
    }

    @Test
    void samplingIsSeededWithoutReplacement() throws IOException {
        String[] lines = new String[40];
        for (int i = 0; i < lines.length; i++) {
            lines[i] = "{\"prompt\": \"prompt number " + i + "\"}";
        }
        DatasetFile f = DatasetFile.read(write("many.jsonl", lines));
        PromptSet a = f.sample(WORDS, 10, 7, 2048, 8);
        assertEquals(a.prompts(), f.sample(WORDS, 10, 7, 2048, 8).prompts(), "same seed, same prompts, same order");
        assertNotEquals(a.prompts(), f.sample(WORDS, 10, 8, 2048, 8).prompts());
        assertEquals(10, new HashSet<>(a.prompts()).size(), "no entry twice");
        // asking for more keeps the first ones: extra prompts (warm-up) never change the measured ones
        assertEquals(a.prompts(), f.sample(WORDS, 14, 7, 2048, 8).prompts().subList(0, 10));
        assertTrue(a.messages().isEmpty(), "no chat messages anywhere");
    }

    @Test
    void entriesLongerThanMaxTokensAreSkippedAndCounted() throws IOException {
        Path p = write("lengths.jsonl",
                "{\"prompt\": \"a b c d e f g h\", \"output_tokens\": 4}",   // 9 + 4 = 13
                "{\"prompt\": \"a b\", \"output_tokens\": 4}",               // 3 + 4 = 7
                "{\"prompt\": \"a b c\"}");                                  // 4 + default 6 = 10
        PromptSet set = DatasetFile.read(p).sample(WORDS, 3, 3, 10, 6);
        assertEquals(new HashSet<>(List.of("a b", "a b c")), new HashSet<>(set.prompts()));
        assertTrue(set.tokenizedBy().contains("1 skipped as longer than maxTokens=10"), set.tokenizedBy());
        assertTrue(set.tokenizedBy().contains("only 2 fit"), set.tokenizedBy());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DatasetFile.read(p).sample(WORDS, 2, 3, 6, 6));
        assertTrue(e.getMessage().contains("none of its 3 entries can be used"), e.getMessage());
        assertTrue(e.getMessage().contains("raise @Dataset(maxTokens)"), e.getMessage());
        assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
    }

    @Test
    void fewerEntriesThanPromptsRepeatAndSaySo() throws IOException {
        PromptSet set = DatasetFile.read(write("two.jsonl", "{\"prompt\": \"x\"}", "{\"prompt\": \"y\"}"))
                .sample(WORDS, 5, 1, 2048, 3);
        assertEquals(5, set.size());
        assertEquals(set.get(0), set.get(2));
        assertEquals(set.get(1), set.get(3));
        assertEquals(set.get(0), set.get(4));
        assertTrue(set.tokenizedBy().contains("only 2 fit, so prompts repeat"), set.tokenizedBy());
    }

    @Test
    void withoutATokenizerNothingIsSkippedAndOutputsFallBack() throws IOException {
        Path p = write("sg.json", "[{\"conversations\": [{\"from\": \"human\", \"value\": \"a b c d e f g\"},",
                "{\"from\": \"gpt\", \"value\": \"one two three four\"}]}]");
        PromptSet set = DatasetFile.read(p).sample(null, 1, 1, 4, 12);
        assertEquals(12, set.outputTokens(0, 99), "the reply is not counted without the model's tokenizer");
        assertTrue(set.tokenizedBy().contains("lengths not controlled"), set.tokenizedBy());
    }

    @Test
    void jsonlLineMayHoldAShareGptConversation() throws IOException {
        Path p = write("conv.jsonl",
                "{\"conversations\": [{\"from\": \"human\", \"value\": \"hello there\"}, {\"from\": \"gpt\", \"value\": \"hi you two\"}]}",
                "{\"conversations\": [{\"from\": \"gpt\", \"value\": \"no question\"}]}");
        DatasetFile f = DatasetFile.read(p);
        assertEquals(1, f.entries().size());
        assertEquals(1, f.withoutPair());
        assertEquals(3, f.sample(WORDS, 1, 1, 2048, 50).outputTokens(0, 99));
    }

    // --- ShareGPT --------------------------------------------------------------------------------

    @Test
    void shareGptTakesTheFirstHumanTurnAndCountsTheFirstGptTurnAfterIt() throws IOException {
        Path p = write("sharegpt.json",
                "[",
                "  {\"id\": \"a\", \"conversations\": [",
                "     {\"from\": \"human\", \"value\": \"what is a joule\"},",
                "     {\"from\": \"gpt\", \"value\": \"a unit of energy equal to one watt second\"},",
                "     {\"from\": \"human\", \"value\": \"and a watt\"},",
                "     {\"from\": \"gpt\", \"value\": \"a joule per second\"}]},",
                "  {\"id\": \"b\", \"conversations\": [",
                "     {\"from\": \"gpt\", \"value\": \"hello, how can I help\"},",
                "     {\"from\": \"human\", \"value\": \"count to three\"},",
                "     {\"from\": \"system\", \"value\": \"ignored\"},",
                "     {\"from\": \"gpt\", \"value\": \"one two three\"}]},",
                "  {\"id\": \"c\", \"conversations\": [{\"from\": \"human\", \"value\": \"unanswered\"}]},",
                "  {\"id\": \"d\", \"conversations\": []}",
                "]");
        DatasetFile f = DatasetFile.read(p);
        assertEquals("sharegpt", f.format());
        assertEquals(2, f.entries().size());
        assertEquals(2, f.withoutPair());
        assertEquals(List.of(2, 7), f.entries().stream().map(DatasetFile.Entry::line).toList());
        assertEquals("what is a joule", f.entries().get(0).prompt());
        assertEquals("count to three", f.entries().get(1).prompt());

        PromptSet set = f.sample(WORDS, 2, 5, 2048, 99);
        for (int i = 0; i < 2; i++) {
            int expected = set.get(i).equals("what is a joule") ? 9 : 3; // words of the first gpt reply after it
            assertEquals(expected, set.outputTokens(i, 99), set.get(i));
        }
        assertTrue(set.messages().isEmpty(), "ShareGPT prompts are plain prompts");
        assertTrue(set.tokenizedBy().contains("(sharegpt)"), set.tokenizedBy());
        assertTrue(set.tokenizedBy().contains("2 conversations without a human/gpt pair left out"), set.tokenizedBy());
    }

    @Test
    void leadingBlankLinesAndAByteOrderMarkAreFine() throws IOException {
        Path p = dir.resolve("bom.json");
        Files.writeString(p, "\uFEFF\n\n[{\"conversations\": [{\"from\": \"human\", \"value\": \"q\"},\n"
                + "{\"from\": \"gpt\", \"value\": \"a\"}]},\n{\"conversations\": 7}]\n", StandardCharsets.UTF_8);
        IllegalArgumentException e = fails(p);
        assertEquals("dataset " + p + ":5: entry 2 has no \"conversations\" list; a ShareGPT entry is "
                + "{\"conversations\": [{\"from\": \"human\", \"value\": \"...\"}, {\"from\": \"gpt\", ...}]}", e.getMessage());
    }

    // --- errors: one line with the path and the line ----------------------------------------------

    @Test
    void missingFile() {
        Path p = dir.resolve("nope.jsonl");
        IllegalArgumentException e = fails(p);
        assertTrue(e.getMessage().startsWith("dataset file '" + p + "' does not exist"), e.getMessage());
        assertTrue(e.getMessage().contains("-p dataset="), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void aFolderIsNotAFile() {
        IllegalArgumentException e = fails(dir);
        assertTrue(e.getMessage().contains("is not a readable file"), e.getMessage());
    }

    @Test
    void emptyFile() throws IOException {
        Path p = write("empty.jsonl", "", "   ");
        assertTrue(fails(p).getMessage().contains("the file is empty"));
    }

    @Test
    void malformedJsonlLine() throws IOException {
        Path p = write("bad.jsonl", "{\"prompt\": \"ok\"}", "", "{\"prompt\": \"broken}", "{\"prompt\": \"ok\"}");
        IllegalArgumentException e = fails(p);
        assertTrue(e.getMessage().startsWith("dataset " + p + ":3: not valid JSON ("), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void trailingGarbageOnAJsonlLine() throws IOException {
        Path p = write("trailing.jsonl", "{\"prompt\": \"ok\"} {\"prompt\": \"two on one line\"}");
        assertTrue(fails(p).getMessage().startsWith("dataset " + p + ":1: not valid JSON"));
    }

    @Test
    void jsonlLineWithoutPromptOrMessages() throws IOException {
        Path p = write("fields.jsonl", "{\"prompt\": \"ok\"}", "{\"text\": \"x\", \"label\": 1}");
        assertEquals("dataset " + p + ":2: needs \"prompt\" (a string) or \"messages\" (a list of {\"role\", \"content\"}), "
                + "has fields text, label", fails(p).getMessage());
    }

    @Test
    void jsonlLineThatIsNotAnObject() throws IOException {
        Path p = write("array.jsonl", "[\"a\"]");
        // '[' first means ShareGPT: a list of strings is not a list of conversations
        assertTrue(fails(p).getMessage().startsWith("dataset " + p + ":1: entry 1 is not an object"));
        Path q = write("number.jsonl", "{\"prompt\": \"ok\"}", "42");
        assertTrue(fails(q).getMessage().startsWith("dataset " + q + ":2: not a JSON object"));
    }

    @Test
    void badOutputTokens() throws IOException {
        Path p = write("out.jsonl", "{\"prompt\": \"ok\", \"output_tokens\": 0}");
        assertEquals("dataset " + p + ":1: \"output_tokens\" must be a whole number >= 1, was 0", fails(p).getMessage());
        Path q = write("out2.jsonl", "{\"prompt\": \"ok\", \"output_tokens\": \"64\"}");
        assertTrue(fails(q).getMessage().contains(":1: \"output_tokens\" must be a whole number"));
        Path r = write("out3.jsonl", "{\"prompt\": \"ok\", \"output_tokens\": 2.5}");
        assertTrue(fails(r).getMessage().contains(":1: \"output_tokens\" must be a whole number"));
    }

    @Test
    void badMessages() throws IOException {
        Path p = write("msg.jsonl", "{\"messages\": [{\"role\": \"user\", \"content\": \"ok\"}, {\"role\": \"user\"}]}");
        assertTrue(fails(p).getMessage().startsWith("dataset " + p + ":1: message 2 must be {\"role\""));
        Path q = write("msg2.jsonl", "{\"messages\": []}");
        assertTrue(fails(q).getMessage().contains(":1: \"messages\" must be a non-empty list"));
        Path r = write("prompt.jsonl", "{\"prompt\": 12}");
        assertTrue(fails(r).getMessage().contains(":1: \"prompt\" must be a non-empty string, was 12"));
    }

    @Test
    void malformedShareGptNamesTheLine() throws IOException {
        Path p = write("broken.json",
                "[",
                "  {\"conversations\": [{\"from\": \"human\", \"value\": \"q\"}, {\"from\": \"gpt\", \"value\": \"a\"}]},",
                "  {\"conversations\": [{\"from\": \"human\", \"value\": \"q\"} {\"from\": \"gpt\", \"value\": \"a\"}]}",
                "]");
        IllegalArgumentException e = fails(p);
        assertTrue(e.getMessage().startsWith("dataset " + p + ":3: not valid JSON ("), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void shareGptTurnWithoutStrings() throws IOException {
        Path p = write("turn.json",
                "[",
                "  {\"conversations\": [{\"from\": \"human\", \"value\": \"q\"}, {\"from\": \"gpt\", \"value\": \"a\"}]},",
                "  {\"conversations\": [{\"from\": \"human\", \"value\": [1, 2]}]}",
                "]");
        assertTrue(fails(p).getMessage().startsWith("dataset " + p + ":3: entry 2, turn 1: must be {\"from\""));
    }

    @Test
    void truncatedShareGpt() throws IOException {
        Path p = write("truncated.json",
                "[",
                "  {\"conversations\": [{\"from\": \"human\", \"value\": \"q\"}, {\"from\": \"gpt\", \"value\": \"a\"}]},");
        IllegalArgumentException e = fails(p);
        assertTrue(e.getMessage().startsWith("dataset " + p + ":"), e.getMessage());
        assertTrue(e.getMessage().contains("not closed") || e.getMessage().contains("not valid JSON"), e.getMessage());
    }

    @Test
    void shareGptWithoutAnyPair() throws IOException {
        Path p = write("nopair.json", "[{\"conversations\": [{\"from\": \"human\", \"value\": \"q\"}]}]");
        assertEquals("dataset " + p + ":1: none of its 1 conversations has a human turn followed by a gpt turn",
                fails(p).getMessage());
    }
}
