package io.pollen.http;

import io.pollen.testing.FdWarmUp;

/** Serves one connection per backend before the first fd snapshot: see {@link TestServers#warmUp()}. */
public final class HttpFdWarmUp implements FdWarmUp {
    @Override
    public void warmUp() {
        TestServers.warmUp();
    }
}
