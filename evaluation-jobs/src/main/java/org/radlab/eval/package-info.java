/** Spark jobs that evaluate models on a dataset and assess deployed models over time. */
package org.radlab.eval;
