package io.pollen.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * {@code pollen bench}: a pointer to the benchmark harness, which lives in the {@code bench} module
 * (owned by its own engineer, with JMH and a load generator). Benchmarks need a quiet machine, a
 * forked JVM per measurement and their own flags, so the CLI does not run them in-process; it
 * prints the commands instead.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Print how to run Pollen's benchmark harness (the bench module).")
final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        out.println("""
                Pollen's benchmarks live in the bench module (JMH and a load harness), not in this CLI:
                they need forked JVMs and a quiet machine.

                Build and run them from the repository root:
                  mvn -B -q -pl bench -am package -DskipTests
                  see bench/README.md for the harness commands, the scenarios and the figures so far

                For a quick, unscientific look at many tasks on one thread:
                  bin/pollen demo --tasks 10000 --delay 1000""");
        out.flush();
        return Pollen.OK;
    }
}
