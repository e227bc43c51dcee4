package io.pollen.net;

/** Which half of a TCP connection {@link TcpStream#shutdown} closes ({@code shutdown(2)}'s {@code how}). */
public enum Shutdown {
    /** Stop reading: later reads return end of stream; data the peer still sends is discarded. */
    READ,
    /** Stop writing: sends FIN after buffered data, so the peer reads end of stream. */
    WRITE,
    /** Both halves. The socket stays open (and registered) until {@link TcpStream#close()}. */
    BOTH
}
