package org.tokenpowerbench.client;

/**
 * One request to send.
 *
 * @param promptIndex  index of the prompt in its prompt set
 * @param prompt       the prompt text (sent as the user message for the chat API)
 * @param maxTokens    tokens to generate; enforced with {@code ignore_eos} and {@code min_tokens}
 */
public record CompletionRequest(int promptIndex, String prompt, int maxTokens) {
}
