package io.pollen.poll;

import io.pollen.testing.PollAssert;
import io.pollen.testing.PollAssert.Want;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.FileDescriptor;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Any fd a caller owns as a {@link SourceFd}: a FIFO opened with java.io, found by its number,
 * made non-blocking and watched on the native backends; refused on nio with a message.
 */
@Timeout(60)
class SourceFdTest {
    @TempDir
    static Path dir;

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void aFifoOpenedWithJavaIoIsASource(Backend backend) throws Exception {
        Path fifo = dir.resolve("fifo-" + backend.id());
        Process mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertEquals(0, mk.waitFor());
        try (RandomAccessFile raf = new RandomAccessFile(fifo.toFile(), "rw"); Poll poll = Poll.open(backend)) {
            int n = fdNumberOf(fifo);
            SourceFd source = new SourceFd(n);
            checkOf(raf.getFD(), n);
            if (!backend.nativeSockets()) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> poll.registry().register(source, Token.of(1), Interest.READABLE));
                assertTrue(e.getMessage().contains("native backend"), e.getMessage());
                return;
            }
            source.setNonBlocking(true);
            Events events = Events.withCapacity(4);
            poll.registry().register(source, Token.of(1), Interest.READABLE);
            PollAssert.expectNone(poll, events, java.time.Duration.ofMillis(100), 1);
            raf.write('x');
            PollAssert.expect(poll, events, Want.readable(1));
            assertEquals('x', raf.read());
            poll.registry().deregister(source);
        } finally {
            Files.deleteIfExists(fifo);
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void standardStreams(Backend backend) {
        assertEquals(0, SourceFd.of(FileDescriptor.in).fd());
        assertEquals(1, SourceFd.of(FileDescriptor.out).fd());
        assertEquals(2, SourceFd.of(FileDescriptor.err).fd());
        assertEquals(SourceFd.stdin(), SourceFd.of(FileDescriptor.in));
        assertThrows(IllegalArgumentException.class, () -> SourceFd.of(new FileDescriptor()));
    }

    /** {@code of(FileDescriptor)} gives the right number, or says why it cannot (no --add-opens). */
    static void checkOf(FileDescriptor fd, int expected) {
        try {
            assertEquals(expected, SourceFd.of(fd).fd());
        } catch (UnsupportedOperationException e) {
            assertTrue(e.getMessage().contains("--add-opens java.base/java.io"), e.getMessage());
        }
    }

    /** The fd number whose /proc/self/fd link points at {@code file}. */
    static int fdNumberOf(Path file) throws IOException {
        Path real = file.toRealPath();
        try (var links = Files.list(Path.of("/proc/self/fd"))) {
            for (Path link : links.toList()) {
                try {
                    if (Files.readSymbolicLink(link).equals(real)) {
                        return Integer.parseInt(link.getFileName().toString());
                    }
                } catch (IOException gone) {
                    // the listing's own fd, closed by now
                }
            }
        }
        throw new AssertionError("no fd open on " + file);
    }
}
