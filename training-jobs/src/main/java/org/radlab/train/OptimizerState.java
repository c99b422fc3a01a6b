package org.radlab.train;

import java.io.Serial;
import java.io.Serializable;
import org.radlab.core.model.Replica;

/**
 * One replica's optimizer state (see {@link Replica#optimizerState()}) and its step count: what a replica sends back
 * at the end of an epoch, what a checkpoint keeps per replica, and what a resumed run broadcasts to each replica.
 * A class, not a record: Kryo (cluster-config's serializer, which Spark uses for task results and broadcasts) cannot
 * rebuild records.
 */
final class OptimizerState implements Serializable {
  @Serial
  private static final long serialVersionUID = 1L;
  private final int steps;
  private final PackedFloats values;

  OptimizerState(int steps, PackedFloats values) {
    this.steps = steps;
    this.values = values;
  }

  int steps() {
    return steps;
  }

  PackedFloats values() {
    return values;
  }
}
