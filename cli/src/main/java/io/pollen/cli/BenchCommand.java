package io.pollen.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * {@code pollen bench}: a pointer to the benchmark harness, {@code bench/run.sh} in the
 * {@code bench} module. Benchmarks need a quiet machine, forked server JVMs pinned to cores, wrk and
 * a C compiler, so the CLI does not run them in-process (and its jar does not contain them); it
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
                Pollen's benchmarks live in the bench module, not in this CLI: they compare Pollen with
                other servers (a C epoll server, a java.nio loop, virtual threads, Netty) under wrk and
                Java load generators, in forked JVMs pinned to cores, which an in-process command cannot do.

                From the repository root (needs a JDK 25, Maven, and the apt packages wrk and gcc):
                  bench/run.sh --smoke     one short round (~2 min), the CI check
                  bench/run.sh             the full run (~15 min): interleaved rounds, multi-core, 10k connections
                The report goes to bench/results/latest.md (with .svg, .json, .csv beside it).
                Options after run.sh go to the harness: --rounds N, --duration S, --only a,b, --no-scale, ...

                For a quick, unscientific look at many tasks on one event-loop thread:
                  bin/pollen demo --tasks 10000 --delay 1000""");
        out.flush();
        return Pollen.OK;
    }
}
