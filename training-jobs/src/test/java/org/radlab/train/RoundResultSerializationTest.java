package org.radlab.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.serializer.JavaSerializer;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.serializer.Serializer;
import org.apache.spark.serializer.SerializerInstance;
import org.junit.jupiter.api.Test;
import org.radlab.core.model.Half;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * What a round's tasks send back (task results) and what a resumed run broadcasts (the optimizer states) go through
 * Spark's configured serializer: Java by default, Kryo with cluster-config's spark-defaults.conf. Both must rebuild
 * them whole.
 */
class RoundResultSerializationTest {
  private static Serializer[] serializers() {
    return new Serializer[] {new JavaSerializer(new SparkConf()), new KryoSerializer(new SparkConf())};
  }

  private static <T> T roundTrip(Serializer serializer, T value, Class<T> type) {
    SerializerInstance s = serializer.newInstance();
    ClassTag<T> tag = ClassTag$.MODULE$.apply(type);
    return s.deserialize(s.serialize(value, tag), tag);
  }

  @Test
  void anEpochsLastRoundWithOptimizerStatesSurvivesJavaAndKryo() {
    for (Serializer serializer : serializers()) {
      // two replicas' results as their tasks build them: an fp16 change each, and each one's optimizer state
      RoundResult a = new RoundResult(1.5, 2, 32, 0.25);
      a.delta = Half.encode(new float[] {0.5f, -1f, 2f});
      a.optimizerStates = new HashMap<>(Map.of(0, new OptimizerState(7, PackedFloats.of(new float[] {1, 2}))));
      RoundResult b = new RoundResult(2.5, 2, 32, 0.5);
      b.delta = Half.encode(new float[] {0.25f, 1f, -4f});
      b.optimizerStates = new HashMap<>(Map.of(1, new OptimizerState(9, PackedFloats.of(new float[] {3, 4}))));
      String name = serializer.getClass().getSimpleName();

      RoundResult merged = RoundResult.merge(roundTrip(serializer, a, RoundResult.class),
          roundTrip(serializer, b, RoundResult.class));
      // then once more, as treeAggregate sends a partial sum on
      merged = roundTrip(serializer, merged, RoundResult.class);
      assertArrayEquals(new float[] {0.75f, 0f, -2f}, merged.deltaSum(), 0f, name);
      assertEquals(2, merged.replicas, name);
      assertEquals(4.0, merged.lossSum, 0.0, name);
      assertEquals(64, merged.images, name);
      assertEquals(0.5, merged.computeSeconds, 0.0, name);
      assertEquals(7, merged.optimizerStates.get(0).steps(), name);
      assertArrayEquals(new float[] {1, 2}, merged.optimizerStates.get(0).values().toArray(), 0f, name);
      assertEquals(9, merged.optimizerStates.get(1).steps(), name);
      assertArrayEquals(new float[] {3, 4}, merged.optimizerStates.get(1).values().toArray(), 0f, name);
    }
  }

  @Test
  void theOptimizerStatesAResumeBroadcastsSurviveJavaAndKryo() {
    for (Serializer serializer : serializers()) {
      HashMap<Integer, OptimizerState> states = new HashMap<>();
      states.put(0, new OptimizerState(12, PackedFloats.of(new float[] {0.5f, -0.25f, 8f})));
      states.put(3, new OptimizerState(12, PackedFloats.of(new float[] {1e-8f})));
      @SuppressWarnings("unchecked")
      HashMap<Integer, OptimizerState> back = roundTrip(serializer, states, HashMap.class);
      String name = serializer.getClass().getSimpleName();
      assertEquals(states.keySet(), back.keySet(), name);
      assertEquals(12, back.get(0).steps(), name);
      assertArrayEquals(new float[] {0.5f, -0.25f, 8f}, back.get(0).values().toArray(), 0f, name);
      assertArrayEquals(new float[] {1e-8f}, back.get(3).values().toArray(), 0f, name);
    }
  }
}
