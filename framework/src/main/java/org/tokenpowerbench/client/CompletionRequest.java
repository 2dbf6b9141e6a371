package org.tokenpowerbench.client;

import java.util.List;

/**
 * One request to send.
 *
 * @param promptIndex  index of the prompt in its prompt set
 * @param prompt       the prompt text (sent as the user message for the chat API when
 *                     {@code messages} is empty)
 * @param maxTokens    tokens to generate; enforced with {@code ignore_eos} and {@code min_tokens}
 * @param messages     chat messages to send as they are to the chat API (from a dataset); empty
 *                     for a plain prompt. The completions API always gets {@code prompt}.
 */
public record CompletionRequest(int promptIndex, String prompt, int maxTokens, List<ChatMessage> messages) {

    public CompletionRequest {
        messages = messages == null ? List.of() : List.copyOf(messages);
    }

    /** A plain prompt, without chat messages of its own. */
    public CompletionRequest(int promptIndex, String prompt, int maxTokens) {
        this(promptIndex, prompt, maxTokens, List.of());
    }
}
