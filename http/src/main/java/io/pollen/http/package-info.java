/**
 * HTTP/1.1 on the Pollen runtime: {@link io.pollen.http.HttpServer} (routes, keep-alive,
 * pipelining, limits and timeouts, on the loops' readiness API), {@link io.pollen.http.HttpClient}
 * (async, pooled keep-alive connections) and {@link io.pollen.http.DemoRoutes}, the endpoints
 * {@code pollen serve} exposes.
 */
package io.pollen.http;
