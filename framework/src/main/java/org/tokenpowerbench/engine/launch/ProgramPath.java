package org.tokenpowerbench.engine.launch;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import org.tokenpowerbench.engine.EngineException;

/**
 * Finds the executable a launch value names, as a shell would: a name with a {@code /} is a path;
 * a bare name is looked up in the directories of {@code PATH}, first match wins. Checked on the
 * host before the first trial, so that a missing engine costs one line, not a fork.
 */
final class ProgramPath {

    private ProgramPath() {
    }

    /** The program on this machine's {@code PATH}. */
    static Path find(String engineValue, String program, String binHint) {
        return find(engineValue, program, binHint, System.getenv("PATH"));
    }

    /**
     * @param binHint what {@code bin=} would name, for the message
     * @param pathVariable the {@code PATH} to search (a parameter so that tests choose it)
     * @return the executable's absolute path
     * @throws EngineException naming the program and what to do
     */
    static Path find(String engineValue, String program, String binHint, String pathVariable) {
        if (program.matches("[A-Za-z_][A-Za-z0-9_]*=.*")) {
            throw new EngineException("engine '" + engineValue + "': '" + program + "' is a variable assignment, not a"
                    + " program, and no shell runs the command; name an executable file (a script of yours may set it)");
        }
        if (program.contains("/")) {
            Path path;
            try {
                path = Path.of(program).toAbsolutePath();
            } catch (InvalidPathException e) {
                throw new EngineException("engine '" + engineValue + "': '" + program
                        + "' is not a path (" + e.getReason() + "); give bin=/path/to/" + binHint);
            }
            if (!Files.isRegularFile(path) || !Files.isExecutable(path)) {
                throw new EngineException("engine '" + engineValue + "': the program '" + program
                        + "' " + (Files.exists(path) ? "is not an executable file" : "does not exist")
                        + "; give bin= the path of the " + binHint + " executable");
            }
            return path;
        }
        Path unfit = null; // the first PATH entry of that name that cannot be executed
        if (pathVariable != null) {
            for (String dir : pathVariable.split(File.pathSeparator)) {
                if (dir.isEmpty()) {
                    continue;
                }
                try {
                    Path candidate = Path.of(dir, program);
                    if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                        return candidate.toAbsolutePath();
                    }
                    if (unfit == null && Files.exists(candidate)) {
                        unfit = candidate.toAbsolutePath();
                    }
                } catch (InvalidPathException e) {
                    // a PATH entry that is no path holds no program: look on
                }
            }
        }
        String start = "engine '" + engineValue + "': ";
        if (SHELL_BUILTINS.contains(program)) {
            throw new EngineException(start + "'" + program + "' is a shell builtin, not a program, and no shell runs"
                    + " the command; name an executable file (a script of yours may do the " + program + ")");
        }
        if (unfit != null) {
            throw new EngineException(start + "the program '" + program + "' is on PATH only as " + unfit + ", which is "
                    + (Files.isDirectory(unfit) ? "a folder" : "not executable") + "; give bin=/path/to/" + binHint);
        }
        throw new EngineException(start + "the program '" + program
                + "' was not found on PATH; install it or give bin=/path/to/" + binHint);
    }

    /** Shell builtins that are no executable file: a launch command runs its program without a shell. */
    static final java.util.Set<String> SHELL_BUILTINS = java.util.Set.of(".", ":", "alias", "bg", "bind", "break",
            "builtin", "cd", "command", "continue", "declare", "dirs", "disown", "enable", "eval", "exec", "exit",
            "export", "fc", "fg", "getopts", "hash", "history", "jobs", "let", "local", "logout", "popd", "pushd",
            "read", "readonly", "return", "set", "shift", "shopt", "source", "suspend", "times", "trap", "type",
            "typeset", "ulimit", "umask", "unalias", "unset", "wait");
}
