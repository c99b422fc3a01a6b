/** Distributed data-parallel training with DJL on Spark executors. */
package org.radlab.train;
