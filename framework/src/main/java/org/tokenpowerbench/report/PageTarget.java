package org.tokenpowerbench.report;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.tokenpowerbench.UserError;

/**
 * Where a page the user named ({@code report --out}, {@code report --compare --html}) may be
 * written. A page replaces its file whole, so a name that points at a run's records would destroy
 * them: an independent check wrote a page over {@code summary.json}, over the BASE run of a
 * comparison and over a forecast's traffic file, each with exit 0. Refused, before anything is
 * read or printed: a folder; any file the command reads; and inside a run folder (one with a
 * {@code summary.json} or {@code trials.jsonl}) any file but the page that folder may hold for this
 * command ({@code allowedName}, and for a single run's page only in that run's own folder).
 */
public final class PageTarget {

    private PageTarget() {
    }

    /**
     * @param target      the file the user named
     * @param option      the option that named it, for the message
     * @param allowedName the page's own name inside a run folder ({@code report.html}, {@code compare.html})
     * @param ownFolders  the run folders whose page this may be (a single run's own folder), or none
     * @param inputs      every file and folder the command reads
     * @return {@code target}
     * @throws UserError naming the target and what to give instead
     */
    public static Path check(Path target, String option, String allowedName, List<Path> ownFolders, List<Path> inputs) {
        Path t = target.toAbsolutePath().normalize();
        if (Files.isDirectory(t)) {
            throw new UserError("report: " + option + " " + target + " is a folder; give a file, e.g. " + option + " "
                    + target.resolve(allowedName));
        }
        for (Path input : inputs) {
            Path in = input.toAbsolutePath().normalize();
            if (t.equals(in) || sameFile(t, in)) {
                throw new UserError("report: " + option + " " + target + " is one of the files this command reads;"
                        + " the page would replace it: give another file, e.g. " + option + " " + allowedName);
            }
        }
        Path folder = t.getParent();
        if (folder != null && isRunFolder(folder)) {
            boolean own = ownFolders.isEmpty() || ownFolders.stream().anyMatch(f -> f.toAbsolutePath().normalize().equals(folder));
            if (!t.getFileName().toString().equals(allowedName) || !own) {
                throw new UserError("report: " + option + " " + target + " is in the run folder " + folder
                        + ", among its records, which the page would replace; give a file outside every run folder,"
                        + " e.g. " + option + " " + allowedName);
            }
        }
        return target;
    }

    /** Whether {@code folder} holds a run's records. */
    public static boolean isRunFolder(Path folder) {
        return Files.exists(folder.resolve(SummaryFile.NAME)) || Files.exists(folder.resolve("trials.jsonl"));
    }

    /** Whether both exist and are one file or folder (through links and {@code .} alike). */
    public static boolean sameFile(Path a, Path b) {
        try {
            return Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b);
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
