package io.pollen.examples;

/** TEMPORARY until the http module's demo server lands. */
final class ExampleServer implements AutoCloseable {
    private final Target target;

    private ExampleServer(Target target) {
        this.target = target;
    }

    static ExampleServer forArgs(String[] args) {
        if (args.length == 0) {
            throw new IllegalArgumentException("usage: <example> URL");
        }
        return new ExampleServer(Target.parse(args[0]));
    }

    Target target() {
        return target;
    }

    @Override
    public void close() {
    }
}
