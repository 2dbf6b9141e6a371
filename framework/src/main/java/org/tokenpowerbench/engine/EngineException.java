package org.tokenpowerbench.engine;

import org.tokenpowerbench.UserError;

/**
 * A problem with the engine the user chose (a missing model file, a port in use, an unreachable
 * server). Its message is one line that names the value and says what to do; it carries no
 * stack trace, because the user needs the line, not our call chain.
 */
public class EngineException extends UserError {
    public EngineException(String message) {
        super(message);
    }
}
