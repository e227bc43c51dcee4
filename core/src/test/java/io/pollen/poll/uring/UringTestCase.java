package io.pollen.poll.uring;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The header every io_uring driver test class shares: skipped (saying why) where io_uring cannot
 * run, and at the end no fd and no io_uring mapping ({@code /proc/self/maps}) left behind.
 */
abstract class UringTestCase {
    static long mappings;

    @BeforeAll
    static void snapshot() {
        mappings = UringTests.ringMappings();
    }

    @AfterAll
    static void noLeaks() throws InterruptedException {
        assertEquals(mappings, UringTests.ringMappingsSettle(mappings), "io_uring mappings left in /proc/self/maps");
    }

    @BeforeEach
    void available() {
        UringTests.assumeAvailable();
    }
}
