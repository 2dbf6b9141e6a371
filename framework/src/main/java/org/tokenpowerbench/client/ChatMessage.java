package org.tokenpowerbench.client;

/**
 * One message of a chat prompt, sent as it is to {@code /v1/chat/completions}.
 *
 * @param role    {@code system}, {@code user}, {@code assistant}, ...
 * @param content the message text
 */
public record ChatMessage(String role, String content) {
}
