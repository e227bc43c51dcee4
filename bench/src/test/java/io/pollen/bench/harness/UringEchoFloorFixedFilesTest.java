package io.pollen.bench.harness;

import java.util.List;

/**
 * Every {@link UringEchoFloorTest} again, on the floor with its connections' descriptors in a
 * registered file table and its ring's descriptor registered ({@code uring_echo --fixed-files 1},
 * {@code c-io_uring-fixed}). What these add for that mode: the table holds a reference to each
 * socket, so a slot left filled at close would keep the connection open and every round trip's
 * wait for the server's end of stream would time out (three of these tests fail that way when the
 * slot is not emptied). Held to 16 descriptors, the server must still start and serve: the table
 * is sized to the descriptor limit, which is the most the kernel registers.
 */
class UringEchoFloorFixedFilesTest extends UringEchoFloorTest {

    @Override
    List<String> mode() {
        return List.of("--fixed-files", "1");
    }
}
