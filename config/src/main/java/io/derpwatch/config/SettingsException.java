package io.derpwatch.config;

import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/** The configuration cannot be used; {@link #problems()} lists every reason at once. */
public final class SettingsException extends Exception {
    private static final Comparator<ConfigProblem> FILE_ORDER =
            Comparator.comparing(ConfigProblem::file).thenComparingInt(ConfigProblem::line);

    private final transient List<ConfigProblem> problems;

    /** Problems are kept in file and line order, so they read top to bottom like the file. */
    public SettingsException(List<ConfigProblem> problems) {
        this(problems.stream().sorted(FILE_ORDER).toList(), true);
    }

    private SettingsException(List<ConfigProblem> sorted, boolean sortedAlready) {
        super(sorted.stream().map(ConfigProblem::toString).collect(Collectors.joining("\n")));
        this.problems = sorted;
    }

    public List<ConfigProblem> problems() {
        return problems;
    }
}
