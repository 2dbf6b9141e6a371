package org.tokenpowerbench;

/**
 * Something the user can put right: a value that is not allowed, a file that is missing, a server
 * that does not answer, a sensor this machine lacks. Its message is one line that names the value
 * and says what to do, and it carries no stack trace, because the user needs the line, not our
 * call chain. It is an exception, not a {@link java.lang.Error}: the name says whose move it is.
 * It extends {@link IllegalArgumentException} because that is what it is, a value that is not
 * allowed, and so that code that checks a value keeps its contract for callers that catch that.
 *
 * <p>The command line turns it into that line and exit status 2 before a run (1 once trials have
 * run). Every other exception is ours: it is reported with its stack trace and never blamed on the
 * user. Throw this type (or a subclass) for a user's mistake; a plain
 * {@link IllegalArgumentException} or {@link IllegalStateException} means a bug of ours.
 */
public class UserError extends IllegalArgumentException {

    public UserError(String message) {
        super(message);
    }

    /** No stack trace: the message is the whole story, and filling one in costs time on hot paths. */
    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
