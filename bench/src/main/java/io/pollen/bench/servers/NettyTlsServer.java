package io.pollen.bench.servers;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;

import java.net.InetSocketAddress;

/**
 * Competitor of {@code bench/tls.sh}: Netty 4.2 on epoll with {@code SslHandler} on the JDK
 * provider ({@link SslProvider#JDK}, the same SSLEngine as Pollen's), ALPN {@code http/1.1},
 * before {@link NettyServer}'s plaintext pipeline. {@code --port P --cert FILE --key FILE [--loops N]}.
 */
public final class NettyTlsServer {
    public static void main(String[] args) throws Exception {
        TlsOptions opts = TlsOptions.parse(args);
        SslContext ssl = SslContextBuilder.forServer(opts.cert().toFile(), opts.key().toFile())
                .sslProvider(SslProvider.JDK)
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, "http/1.1"))
                .build();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(opts.loops(), EpollIoHandler.newFactory());
        new ServerBootstrap()
                .group(group)
                .channel(EpollServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(ssl.newHandler(ch.alloc()), new HttpServerCodec(),
                                new NettyServer.PlaintextHandler());
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", opts.port()))
                .sync();
        ServerOptions.ready("netty-tls-jdk loops=" + opts.loops());
        Thread.currentThread().join();
    }
}
