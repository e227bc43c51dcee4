package io.pollen.snippets;

import io.pollen.net.TcpListener;
import io.pollen.net.TcpStream;
import io.pollen.poll.Backend;
import io.pollen.poll.Event;
import io.pollen.poll.Events;
import io.pollen.poll.Interest;
import io.pollen.poll.Poll;
import io.pollen.poll.Registry;
import io.pollen.poll.Token;
import io.pollen.testing.Loopback;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The examples of {@code io.pollen.poll} and {@code io.pollen.net}'s Javadoc ({@code {@snippet
 * class=io.pollen.snippets.PollSnippetsTest region=...}}), compiled and run here on every backend,
 * so that a doc example cannot rot.
 *
 * <p>That every tag finds its region (javadoc fails with "region not found" otherwise), from the
 * repository root with JDK 25's javadoc:
 * <pre>
 * javadoc -quiet -Xdoclint:none -d /tmp/apidocs \
 *     --snippet-path core/src/test/java:http/src/test/java \
 *     --module-source-path io.pollen=core/src/main/java \
 *     --module-source-path io.pollen.http=http/src/main/java \
 *     --module io.pollen,io.pollen.http
 * </pre>
 */
@Timeout(30)
class PollSnippetsTest {

    /** Poll's class example: one thread accepts connections and reads them until each ends. */
    static String readAll(Backend backend, Consumer<InetSocketAddress> listening) throws IOException {
        StringBuilder received = new StringBuilder();
        // @start region="poll"
        try (Poll poll = Poll.open(backend); // @replace substring="backend" replacement=""
             TcpListener listener = TcpListener.bind(new InetSocketAddress("127.0.0.1", 0), poll.backend())) {
            listening.accept(listener.localAddress()); // tell the clients where to connect
            Token server = Token.of(0);
            poll.registry().register(listener, server, Interest.READABLE);
            Map<Long, TcpStream> connections = new HashMap<>();
            long nextToken = 1;
            Events events = Events.withCapacity(1024);
            ByteBuffer buf = ByteBuffer.allocate(16 * 1024);
            boolean sawOne = false;
            while (!sawOne || !connections.isEmpty()) {
                poll.poll(events, Duration.ofMillis(100));
                for (Event e : events) {
                    if (e.is(server)) {
                        // @start region="accept"
                        TcpStream s;
                        while ((s = listener.accept()) != null) { // edge-triggered: accept until it would block
                            Token token = Token.of(nextToken++);
                            poll.registry().register(s, token, Interest.READABLE);
                            connections.put(token.value(), s);
                        }
                        // @end
                        sawOne = true;
                    } else {
                        TcpStream s = connections.get(e.token());
                        int n;
                        while ((n = s.read(buf.clear())) > 0) { // read until it would block (0) or ends (-1)
                            received.append(StandardCharsets.US_ASCII.decode(buf.flip()));
                        }
                        if (n < 0) {
                            poll.registry().deregister(s);
                            s.close();
                            connections.remove(e.token());
                        }
                    }
                }
            }
        }
        // @end
        return received.toString();
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void pollAcceptsAndReadsUntilTheEnd(Backend backend) throws Exception {
        Thread[] client = new Thread[1];
        String got = readAll(backend, address -> client[0] = Thread.ofVirtual().start(() -> {
            try (Socket s = new Socket(address.getAddress(), address.getPort())) {
                OutputStream out = s.getOutputStream();
                out.write("hello, ".getBytes(StandardCharsets.US_ASCII));
                out.write("poll".getBytes(StandardCharsets.US_ASCII));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }));
        client[0].join();
        assertEquals("hello, poll", got);
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void registryRegistersReregistersAndDeregisters(Backend backend) throws Exception {
        try (Poll poll = Poll.open(backend); Loopback.Pair pair = Loopback.pair(backend)) {
            TcpStream stream = pair.client();
            Events events = Events.withCapacity(8);
            // @start region="registry"
            Registry registry = poll.registry();
            registry.register(stream, Token.of(7), Interest.READABLE);
            // output backed up: wait for room to write as well
            registry.reregister(stream, Token.of(7), Interest.READABLE.add(Interest.WRITABLE));
            // @end
            poll.poll(events, Duration.ofSeconds(5));
            assertTrue(events.size() == 1 && events.isWritable(0) && events.token(0) == 7, "writable under token 7");
            // @start region="deregister"
            registry.deregister(stream); // no later poll reports token 7 for this stream
            // @end
            pair.server().write(Loopback.ascii("data"));
            poll.poll(events, Duration.ofMillis(50));
            assertTrue(events.isEmpty(), "nothing after deregister");
            assertFalse(stream.read(ByteBuffer.allocate(8)) < 0);
        }
    }
}
