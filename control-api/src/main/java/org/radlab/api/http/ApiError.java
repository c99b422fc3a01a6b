package org.radlab.api.http;

/**
 * The one shape of every error the API returns: a short machine-readable {@code error} (such as
 * {@code not_found}) and a {@code detail} sentence that names the problem for a person.
 */
public record ApiError(String error, String detail) {}
