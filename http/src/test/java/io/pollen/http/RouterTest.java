package io.pollen.http;

import io.pollen.http.codec.BodyBuffer;
import io.pollen.http.codec.Limits;
import io.pollen.http.codec.RequestParser;
import org.junit.jupiter.api.Test;

import java.lang.module.ModuleDescriptor;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** Route patterns on raw path bytes, the request view, and the module descriptor. */
class RouterTest {
    static final Handler H = req -> null;

    static Router router() {
        Router r = new Router();
        r.add("GET", "/plaintext", H, null);
        r.add(null, "/", H, null);
        r.add("GET", "/delay/{ms}/{rest...}", H, null);
        r.add("POST", "/users/{id}/posts/{post}", H, null);
        return r;
    }

    static String route(String requestLine) throws Exception {
        RequestParser p = new RequestParser(Limits.DEFAULT);
        assertTrue(p.parse(ByteBuffer.wrap((requestLine + "\r\nHost: t\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1))));
        HttpRequest req = new HttpRequest(p, new BodyBuffer(10), () -> null);
        RouteMatch m = new RouteMatch();
        Router.Route r = router().match(req, p.store(), p.pathStart(), p.pathEnd(), m);
        assertNull(req.pathParam("id"), "matching leaves the request alone");
        if (r == null) {
            assertNull(m.route);
            return m.allowed == null ? "404" : "405 " + m.allowed;
        }
        assertSame(r, m.route);
        req.pathParams(r.params(), m.bounds);
        StringBuilder sb = new StringBuilder(r.pattern());
        for (String name : r.params()) {
            sb.append(' ').append(name).append('=').append(req.pathParam(name));
        }
        return sb.toString();
    }

    @Test
    void aMatchResultIsReusedAndForgetsThePreviousRequest() throws Exception {
        Router router = router();
        RouteMatch m = new RouteMatch();
        RequestParser p = new RequestParser(Limits.DEFAULT);
        assertTrue(p.parse(ByteBuffer.wrap("POST /plaintext HTTP/1.1\r\nHost: t\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1))));
        HttpRequest req = new HttpRequest(p, new BodyBuffer(10), () -> null);
        assertNull(router.match(req, p.store(), p.pathStart(), p.pathEnd(), m));
        assertEquals(Set.of("GET", "HEAD"), m.allowed);
        p.reset();
        assertTrue(p.parse(ByteBuffer.wrap("GET /nowhere HTTP/1.1\r\nHost: t\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1))));
        assertNull(router.match(req, p.store(), p.pathStart(), p.pathEnd(), m));
        assertNull(m.allowed, "a 404 after a 405 on the same connection");
        assertNull(m.route);
    }

    @Test
    void patterns() throws Exception {
        assertEquals("/plaintext", route("GET /plaintext HTTP/1.1"));
        assertEquals("/plaintext", route("HEAD /plaintext HTTP/1.1"), "GET routes answer HEAD");
        assertEquals("405 [GET, HEAD]", route("POST /plaintext HTTP/1.1"));
        assertEquals("404", route("GET /plaintext/ HTTP/1.1"), "a trailing slash is another path");
        assertEquals("404", route("GET /plain HTTP/1.1"));
        assertEquals("/", route("DELETE / HTTP/1.1"));
        assertEquals("/", route("GET /?q=1 HTTP/1.1"), "the query is not part of the path");
        assertEquals("/delay/{ms}/{rest...} ms=1000 rest=url/http://www.google.com",
                route("GET /delay/1000/url/http://www.google.com HTTP/1.1"));
        assertEquals("/delay/{ms}/{rest...} ms=5 rest=", route("GET /delay/5 HTTP/1.1"));
        assertEquals("/delay/{ms}/{rest...} ms=5 rest=", route("GET /delay/5/ HTTP/1.1"));
        assertEquals("404", route("GET /delay//x HTTP/1.1"), "a parameter needs a non-empty segment");
        assertEquals("/users/{id}/posts/{post} id=7 post=abc", route("POST /users/7/posts/abc HTTP/1.1"));
        assertEquals("/users/{id}/posts/{post} id=7 post=abc", route("POST http://h/users/7/posts/abc?x HTTP/1.1"));
    }

    @Test
    void badPatternsAreRejected() {
        Router r = new Router();
        assertThrows(IllegalArgumentException.class, () -> r.add(null, "no-slash", H, null));
        assertThrows(IllegalArgumentException.class, () -> r.add(null, "/{rest...}/x", H, null));
        assertThrows(IllegalArgumentException.class, () -> r.add(null, "/a{b}", H, null));
        assertThrows(IllegalArgumentException.class, () -> r.add("G T", "/", H, null));
    }

    @Test
    void headersAndResponses() {
        HttpHeaders h = HttpHeaders.of("Content-Type", "a", "X-Many", "1", "x-many", "2");
        assertEquals("a", h.first("content-type"));
        assertEquals(java.util.List.of("1", "2"), h.all("X-MANY"));
        assertEquals(Set.of("content-type", "x-many"), h.names());
        assertThrows(IllegalArgumentException.class, () -> HttpHeaders.of("X", "a\r\nInjected: 1"));
        assertThrows(IllegalArgumentException.class, () -> HttpHeaders.of("Bad Name", "a"));
        assertThrows(IllegalArgumentException.class, () -> Response.text("x").header("Transfer-Encoding", "chunked"));
        assertEquals("I'm a teapot", Response.of(418).reason("I'm a teapot").reason());
        assertEquals("Not Found", Response.of(404).reason());
    }

    @Test
    void moduleExportsOnlyTheApiPackage() throws Exception {
        Path info = Path.of("target/classes/module-info.class");
        ModuleDescriptor d;
        try (var in = Files.newInputStream(info)) {
            d = ModuleDescriptor.read(in);
        }
        assertEquals("io.pollen.http", d.name());
        assertEquals(Set.of("io.pollen.http"), d.exports().stream().map(ModuleDescriptor.Exports::source).collect(java.util.stream.Collectors.toSet()));
        assertTrue(d.requires().stream().anyMatch(r -> r.name().equals("io.pollen")));
    }
}
