package org.radlab.api.http;

/**
 * One documented endpoint: the catalog at {@code GET /api} and the page at {@code GET /api/docs} are built from
 * the same list the routes are registered from, so they cannot drift apart.
 *
 * @param method   GET, POST, PUT
 * @param path     with {@code {name}} path parameters
 * @param access   who may call it: {@code public}, {@code any user}, {@code admin}, or a rule in words
 * @param summary  what it does
 * @param request  the request: query parameters or the JSON body's shape ("" if none)
 * @param response the response's shape
 */
public record Endpoint(String method, String path, String access, String summary, String request, String response) {}
