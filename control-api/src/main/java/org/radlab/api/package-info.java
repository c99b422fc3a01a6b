/** The Javalin control API: job queue and runner, registry, challenges; launches jobs as processes. */
package org.radlab.api;
