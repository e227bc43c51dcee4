package io.pollen.sys.linux;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.pollen.sys.linux.IoUringLayout.off;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * io_uring's struct layouts against the C compiler's view of the installed kernel header: a tiny C
 * program prints {@code offsetof}/{@code sizeof} for every field Pollen names, and each must match.
 * Skipped, saying why, where gcc or {@code <linux/io_uring.h>} is missing.
 */
class IoUringLayoutTest {
    /** C expression → what Pollen's layout says. */
    private static Map<String, Long> expected() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("sizeof(struct io_uring_params)", IoUringLayout.PARAMS.byteSize());
        for (String f : List.of("sq_entries", "cq_entries", "flags", "sq_thread_cpu", "sq_thread_idle",
                "features", "wq_fd", "resv", "sq_off", "cq_off")) {
            m.put("offsetof(struct io_uring_params, " + f + ")", off(IoUringLayout.PARAMS, f));
        }
        m.put("sizeof(struct io_sqring_offsets)", IoUringLayout.SQRING_OFFSETS.byteSize());
        for (String f : List.of("head", "tail", "ring_mask", "ring_entries", "flags", "dropped", "array", "resv2")) {
            m.put("offsetof(struct io_sqring_offsets, " + f + ")", off(IoUringLayout.SQRING_OFFSETS, f));
        }
        m.put("sizeof(struct io_cqring_offsets)", IoUringLayout.CQRING_OFFSETS.byteSize());
        for (String f : List.of("head", "tail", "ring_mask", "ring_entries", "overflow", "cqes", "flags", "resv2")) {
            m.put("offsetof(struct io_cqring_offsets, " + f + ")", off(IoUringLayout.CQRING_OFFSETS, f));
        }
        m.put("sizeof(struct io_uring_sqe)", IoUringLayout.SQE.byteSize());
        Map<String, String> sqe = new LinkedHashMap<>();
        for (String f : List.of("opcode", "flags", "ioprio", "fd", "off", "addr", "len", "user_data",
                "buf_index", "personality", "splice_fd_in", "addr3")) {
            sqe.put(f, f);
        }
        sqe.put("op_flags", "poll32_events");
        sqe.put("pad2", "__pad2");
        sqe.forEach((ours, theirs) ->
                m.put("offsetof(struct io_uring_sqe, " + theirs + ")", off(IoUringLayout.SQE, ours)));
        m.put("offsetof(struct io_uring_sqe, accept_flags)", IoUringLayout.SQE_OP_FLAGS);
        m.put("offsetof(struct io_uring_sqe, cancel_flags)", IoUringLayout.SQE_OP_FLAGS);
        m.put("offsetof(struct io_uring_sqe, buf_group)", IoUringLayout.SQE_BUF_INDEX);
        m.put("sizeof(struct io_uring_cqe)", IoUringLayout.CQE.byteSize());
        for (String f : List.of("user_data", "res", "flags")) {
            m.put("offsetof(struct io_uring_cqe, " + f + ")", off(IoUringLayout.CQE, f));
        }
        m.put("sizeof(struct io_uring_buf)", IoUringLayout.BUF.byteSize());
        for (String f : List.of("addr", "len", "bid", "resv")) {
            m.put("offsetof(struct io_uring_buf, " + f + ")", off(IoUringLayout.BUF, f));
        }
        m.put("offsetof(struct io_uring_buf_ring, tail)", IoUringLayout.BUF_RING_TAIL);
        m.put("offsetof(struct io_uring_buf_ring, bufs)", 0L);
        m.put("sizeof(struct io_uring_buf_reg)", IoUringLayout.BUF_REG.byteSize());
        for (String f : List.of("ring_addr", "ring_entries", "bgid", "pad", "resv")) {
            m.put("offsetof(struct io_uring_buf_reg, " + f + ")", off(IoUringLayout.BUF_REG, f));
        }
        m.put("sizeof(struct io_uring_probe)", IoUringLayout.PROBE.byteSize());
        m.put("offsetof(struct io_uring_probe, ops)", IoUringLayout.PROBE.byteSize());
        m.put("offsetof(struct io_uring_probe, ops_len)", off(IoUringLayout.PROBE, "ops_len"));
        m.put("sizeof(struct io_uring_probe_op)", IoUringLayout.PROBE_OP.byteSize());
        m.put("offsetof(struct io_uring_probe_op, flags)", off(IoUringLayout.PROBE_OP, "flags"));
        m.put("sizeof(struct io_uring_getevents_arg)", IoUringLayout.GETEVENTS_ARG.byteSize());
        for (String f : List.of("sigmask", "sigmask_sz", "pad", "ts")) {
            m.put("offsetof(struct io_uring_getevents_arg, " + f + ")", off(IoUringLayout.GETEVENTS_ARG, f));
        }
        m.put("sizeof(struct __kernel_timespec)", IoUringLayout.KERNEL_TIMESPEC.byteSize());
        m.put("sizeof(struct io_uring_rsrc_update)", IoUringLayout.RSRC_UPDATE.byteSize());
        for (String f : List.of("offset", "resv", "data")) {
            m.put("offsetof(struct io_uring_rsrc_update, " + f + ")", off(IoUringLayout.RSRC_UPDATE, f));
        }
        return m;
    }

    /** Constants Pollen copied from the header, checked against it too. */
    private static Map<String, Long> constants() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("IORING_SETUP_SUBMIT_ALL", (long) IoUring.IORING_SETUP_SUBMIT_ALL);
        m.put("IORING_SETUP_COOP_TASKRUN", (long) IoUring.IORING_SETUP_COOP_TASKRUN);
        m.put("IORING_SETUP_SINGLE_ISSUER", (long) IoUring.IORING_SETUP_SINGLE_ISSUER);
        m.put("IORING_SETUP_DEFER_TASKRUN", (long) IoUring.IORING_SETUP_DEFER_TASKRUN);
        m.put("IORING_SETUP_CQSIZE", (long) IoUring.IORING_SETUP_CQSIZE);
        m.put("IORING_OP_POLL_ADD", (long) IoUring.IORING_OP_POLL_ADD);
        m.put("IORING_OP_POLL_REMOVE", (long) IoUring.IORING_OP_POLL_REMOVE);
        m.put("IORING_OP_ASYNC_CANCEL", (long) IoUring.IORING_OP_ASYNC_CANCEL);
        m.put("IORING_OP_TIMEOUT", (long) IoUring.IORING_OP_TIMEOUT);
        m.put("IORING_OP_ACCEPT", (long) IoUring.IORING_OP_ACCEPT);
        m.put("IORING_OP_CONNECT", (long) IoUring.IORING_OP_CONNECT);
        m.put("IORING_OP_CLOSE", (long) IoUring.IORING_OP_CLOSE);
        m.put("IORING_OP_SEND", (long) IoUring.IORING_OP_SEND);
        m.put("IORING_OP_RECV", (long) IoUring.IORING_OP_RECV);
        m.put("IORING_OP_MSG_RING", (long) IoUring.IORING_OP_MSG_RING);
        m.put("IORING_OFF_CQ_RING", IoUring.IORING_OFF_CQ_RING);
        m.put("IORING_OFF_SQES", IoUring.IORING_OFF_SQES);
        m.put("IORING_SQ_CQ_OVERFLOW", (long) IoUring.IORING_SQ_CQ_OVERFLOW);
        m.put("IORING_ENTER_EXT_ARG", (long) IoUring.IORING_ENTER_EXT_ARG);
        m.put("IORING_FEAT_SINGLE_MMAP", (long) IoUring.IORING_FEAT_SINGLE_MMAP);
        m.put("IORING_FEAT_EXT_ARG", (long) IoUring.IORING_FEAT_EXT_ARG);
        m.put("IORING_FEAT_NODROP", (long) IoUring.IORING_FEAT_NODROP);
        m.put("IORING_REGISTER_PROBE", (long) IoUring.IORING_REGISTER_PROBE);
        m.put("IORING_REGISTER_PBUF_RING", (long) IoUring.IORING_REGISTER_PBUF_RING);
        m.put("IORING_REGISTER_RING_FDS", (long) IoUring.IORING_REGISTER_RING_FDS);
        m.put("IORING_UNREGISTER_RING_FDS", (long) IoUring.IORING_UNREGISTER_RING_FDS);
        m.put("IORING_ENTER_REGISTERED_RING", (long) IoUring.IORING_ENTER_REGISTERED_RING);
        m.put("IORING_POLL_ADD_MULTI", (long) IoUring.IORING_POLL_ADD_MULTI);
        m.put("IORING_CQE_F_MORE", (long) IoUring.IORING_CQE_F_MORE);
        m.put("IORING_RECV_MULTISHOT", (long) IoUring.IORING_RECV_MULTISHOT);
        m.put("IORING_ACCEPT_MULTISHOT", (long) IoUring.IORING_ACCEPT_MULTISHOT);
        m.put("IORING_ASYNC_CANCEL_FD", (long) IoUring.IORING_ASYNC_CANCEL_FD);
        m.put("IORING_ASYNC_CANCEL_ALL", (long) IoUring.IORING_ASYNC_CANCEL_ALL);
        m.put("IOSQE_BUFFER_SELECT", (long) IoUring.IOSQE_BUFFER_SELECT);
        m.put("__NR_io_uring_setup", IoUring.SYS_IO_URING_SETUP);
        m.put("__NR_io_uring_enter", IoUring.SYS_IO_URING_ENTER);
        m.put("__NR_io_uring_register", IoUring.SYS_IO_URING_REGISTER);
        return m;
    }

    @Test
    void layoutsAndConstantsMatchTheKernelHeader() throws Exception {
        Assumptions.assumeTrue(new File("/usr/include/linux/io_uring.h").isFile(),
                "skipped: /usr/include/linux/io_uring.h is missing (install linux-libc-dev)");
        Assumptions.assumeTrue(onPath("gcc"), "skipped: gcc is not on the PATH");
        Map<String, Long> all = new LinkedHashMap<>(expected());
        all.putAll(constants());
        Path dir = Files.createTempDirectory("pollen-uring-layout");
        try {
            StringBuilder c = new StringBuilder("#include <stddef.h>\n#include <stdio.h>\n#include <sys/syscall.h>\n"
                    + "#include <linux/io_uring.h>\nint main(void) {\n");
            for (String expr : all.keySet()) {
                c.append("  printf(\"%lld\\n\", (long long) (").append(expr).append("));\n");
            }
            c.append("  return 0;\n}\n");
            Path src = dir.resolve("layout.c");
            Path exe = dir.resolve("layout");
            Files.writeString(src, c);
            run(List.of("gcc", "-o", exe.toString(), src.toString()));
            List<String> out = run(List.of(exe.toString())).lines().toList();
            assertEquals(all.size(), out.size(), "one line per expression");
            int i = 0;
            for (Map.Entry<String, Long> e : all.entrySet()) {
                assertEquals(Long.parseLong(out.get(i++).trim()), e.getValue(), e.getKey());
            }
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void oneLayoutForBothSupportedArchitectures() {
        assertTrue(IoUringLayout.supported("amd64") && IoUringLayout.supported("x86_64")
                && IoUringLayout.supported("aarch64"));
        assertTrue(!IoUringLayout.supported("ppc64") && !IoUringLayout.supported("s390x"));
        assertEquals(120, IoUringLayout.PARAMS.byteSize());
        assertEquals(64, IoUringLayout.SQE_SIZE);
        assertEquals(16, IoUringLayout.CQE_SIZE);
        assertEquals(16, IoUringLayout.BUF_SIZE);
        assertEquals(14, IoUringLayout.BUF_RING_TAIL);
    }

    private static boolean onPath(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (new File(d, tool).canExecute()) {
                return true;
            }
        }
        return false;
    }

    private static String run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "timed out: " + cmd);
        assertEquals(0, p.exitValue(), cmd + " failed:\n" + out);
        return out;
    }
}
