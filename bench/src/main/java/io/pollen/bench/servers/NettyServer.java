package io.pollen.bench.servers;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringAdaptiveBufferRingAllocator;
import io.netty.channel.uring.IoUringBufferRingConfig;
import io.netty.channel.uring.IoUringChannelOption;
import io.netty.channel.uring.IoUringIoHandlerConfig;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.UnaryOperator;

/**
 * Competitor: Netty 4.2 with {@code --transport epoll|io_uring|io_uring-ring|nio}, written the way Netty users
 * write a plaintext server: {@link HttpServerCodec} plus one handler that writes a
 * {@link DefaultFullHttpResponse} per request and flushes in {@code channelReadComplete} (so a
 * pipelined batch goes out in one flush). The echo port runs Netty's classic echo handler
 * (write on read, flush on read-complete); with {@code --unix PATH} (epoll transport) it also
 * serves on a Unix domain socket ({@link EpollServerDomainSocketChannel}).
 *
 * <p>{@code --loops N}: one {@link MultiThreadIoEventLoopGroup} of N threads serves both the
 * accepting and the accepted channels, so N is the total number of I/O threads, as for the other
 * servers. Started with {@code -Dio.netty.leakDetection.level=disabled} by the harness (the usual
 * production setting); everything else is Netty's default (pooled direct buffers).
 *
 * <p>{@code io_uring-ring} is io_uring with Netty's opt-in provided-buffer ring (1,024 buffers, its
 * adaptive allocator), so that the io_uring comparisons can say which Netty setup does best: it echoes
 * a little cheaper than the default and serves HTTP slower (bench/io_uring.md, issue #13).
 */
public final class NettyServer {

    // Same header names and order as every other server, so the bytes on the wire match.
    private static final AsciiString CONTENT_TYPE = AsciiString.cached("Content-Type");
    private static final AsciiString CONTENT_LENGTH = AsciiString.cached("Content-Length");
    private static final AsciiString SERVER = AsciiString.cached("Server");
    private static final AsciiString DATE = AsciiString.cached("Date");
    private static final AsciiString TEXT_PLAIN = AsciiString.cached("text/plain");
    private static final AsciiString SERVER_NAME = AsciiString.cached(PlaintextHttp.SERVER);
    private static final ByteBuf BODY = Unpooled.unreleasableBuffer(
            Unpooled.directBuffer().writeBytes(PlaintextHttp.BODY.getBytes(StandardCharsets.US_ASCII))).asReadOnly();

    /** The provided-buffer group of {@code --transport io_uring-ring}. */
    private static final short BUFFER_GROUP = 1;
    public static void main(String[] args) throws InterruptedException {
        ServerOptions opts = ServerOptions.parse(args, "epoll");
        IoHandlerFactory factory;
        Class<? extends ServerChannel> channel;
        UnaryOperator<ServerBootstrap> childOptions = b -> b; // what the transport adds to accepted channels
        switch (opts.transport()) {
            case "epoll" -> {
                if (!Epoll.isAvailable()) ServerOptions.unavailable("netty epoll: " + Epoll.unavailabilityCause());
                factory = EpollIoHandler.newFactory();
                channel = EpollServerSocketChannel.class;
            }
            case "io_uring" -> {
                if (!IoUring.isAvailable()) ServerOptions.unavailable("netty io_uring: " + IoUring.unavailabilityCause());
                factory = IoUringIoHandler.newFactory();
                channel = IoUringServerSocketChannel.class;
            }
            case "io_uring-ring" -> {
                // Netty's opt-in provided-buffer ring (the kernel picks a buffer per recv, as Pollen's
                // io_uring driver does), to find out whether it is Netty's best io_uring setup.
                if (!IoUring.isAvailable()) ServerOptions.unavailable("netty io_uring: " + IoUring.unavailabilityCause());
                factory = IoUringIoHandler.newFactory(new IoUringIoHandlerConfig().setBufferRingConfig(
                        IoUringBufferRingConfig.builder().bufferGroupId(BUFFER_GROUP).bufferRingSize((short) 1024)
                                .batchSize(64).allocator(new IoUringAdaptiveBufferRingAllocator()).build()));
                channel = IoUringServerSocketChannel.class;
                childOptions = b -> b.childOption(IoUringChannelOption.IO_URING_BUFFER_GROUP_ID, BUFFER_GROUP);
            }
            case "nio" -> {
                factory = NioIoHandler.newFactory();
                channel = NioServerSocketChannel.class;
            }
            default -> throw new IllegalArgumentException("unknown --transport " + opts.transport());
        }
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(opts.loops(), factory);
        bind(group, channel, childOptions, opts.httpPort(), new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(new HttpServerCodec(), new PlaintextHandler());
            }
        });
        bind(group, channel, childOptions, opts.echoPort(), new EchoHandler());
        if (opts.unixPath() != null) {
            if (!"epoll".equals(opts.transport())) {
                ServerOptions.unavailable("netty domain sockets: only the epoll transport is used here");
            }
            // Netty's epoll transport has Unix domain sockets; same echo handler, same group.
            new ServerBootstrap().group(group).channel(EpollServerDomainSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, 4096)
                    .childHandler(new EchoHandler())
                    .bind(new DomainSocketAddress(opts.unixPath())).sync();
        }
        ServerOptions.ready("netty-" + opts.transport() + " loops=" + opts.loops());
    }

    private static void bind(EventLoopGroup group, Class<? extends ServerChannel> channel,
                             UnaryOperator<ServerBootstrap> childOptions, int port,
                             ChannelHandler childHandler) throws InterruptedException {
        childOptions.apply(new ServerBootstrap()
                .group(group)
                .channel(channel)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(childHandler))
                .bind(new InetSocketAddress("127.0.0.1", port))
                .sync();
    }

    /** Answers each request as it is decoded; flushes once per read batch. */
    static final class PlaintextHandler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof HttpRequest req) {
                    boolean ok = "/plaintext".equals(req.uri());
                    FullHttpResponse res = ok
                            ? new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, BODY.duplicate())
                            : new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_FOUND);
                    if (ok) res.headers().set(CONTENT_TYPE, TEXT_PLAIN);
                    res.headers()
                            .set(CONTENT_LENGTH, ok ? 13 : 0)
                            .set(SERVER, SERVER_NAME)
                            .set(DATE, HttpDate.text());
                    if (HttpUtil.isKeepAlive(req)) {
                        ctx.write(res, ctx.voidPromise());
                    } else {
                        ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
                    }
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** Netty's echo example: write what was read, flush when the read batch ends. */
    @ChannelHandler.Sharable
    private static final class EchoHandler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg, ctx.voidPromise());
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
