package org.radlab.train;

import java.io.Serializable;
import org.radlab.core.model.Replica;

/**
 * One replica's optimizer state (see {@link Replica#optimizerState()}) and its step count: what a replica sends back
 * at the end of an epoch, what a checkpoint keeps per replica, and what a resumed run hands back to each replica.
 */
record OptimizerState(int steps, PackedFloats values) implements Serializable {}
