package org.radlab.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.radlab.core.launch.JavaCommand;
import org.radlab.core.launch.NativeMemory;

/**
 * Two replicas of the same spec, given the same batches, stay bit-identical, while one of them keeps sending its
 * weights and optimizer state out and back in through the views of libtorch's memory. Runs in a child JVM with
 * glibc's {@code MALLOC_PERTURB_}, so memory freed while a view still points into it reads as garbage, with two
 * libtorch threads and the environment RadLab's launchers give a libtorch process ({@link NativeMemory}). Without
 * its cap on oneDNN's instruction set, the first backward pass in a process gave other gradients than the later
 * ones for the early layers (often NaN) on an AMD EPYC machine, also with DJL's own {@code Trainer.step()} and Adam
 * and no views at all, so identical replicas differed after one step.
 */
class ReplicaTwinsTest {
  private static final int SIDE = 32;
  private static final int STEPS = 4;

  @Test
  void twinsStayIdenticalThroughViewRoundTripsWithFreedMemoryPoisoned() throws Exception {
    ProcessBuilder child = new ProcessBuilder(JavaCommand.executable(), "-Xmx1g", "-Dai.djl.offline=true",
        "-Dai.djl.pytorch.num_threads=2", "-cp", System.getProperty("java.class.path"),
        ReplicaTwinsTest.class.getName()).redirectErrorStream(true);
    child.environment().keySet().removeAll(NativeMemory.DEFAULTS.keySet());
    NativeMemory.into(child.environment());
    child.environment().put("MALLOC_PERTURB_", "165");
    Process p = child.start();
    byte[] out = p.getInputStream().readAllBytes();
    assertTrue(p.waitFor(15, TimeUnit.MINUTES), "the child JVM did not finish");
    String log = new String(out, StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), log);
    assertTrue(log.contains("twins identical after " + STEPS + " steps"), log);
  }

  /** The child: trains the twins and exits 1 at the first difference or non-finite value. */
  public static void main(String[] args) {
    Replica.Spec spec = new Replica.Spec("resnet18", 0.125, 2, SIDE, "categorical_cross_entropy", 0.25, 2, "adam",
        1e-3, 1);
    try (Replica plain = new Replica(spec); Replica roundTrips = new Replica(spec)) {
      Random random = new Random(17);
      for (int s = 1; s <= STEPS; s++) {
        int[] labels = new int[8];
        float[] images = new float[labels.length * SIDE * SIDE];
        for (int i = 0; i < labels.length; i++) {
          labels[i] = random.nextInt(2);
        }
        for (int i = 0; i < images.length; i++) {
          images[i] = random.nextFloat();
        }
        plain.step(images, labels);
        roundTrips.step(images, labels);
        // out and back in: flat reads, in-place writes, and state arrays made anew from Java
        roundTrips.setParameters(roundTrips.parameters());
        roundTrips.setOptimizerState(roundTrips.optimizerState(), roundTrips.optimizerSteps());
        System.gc(); // lets the JVM free what nothing references any more, before the next step reads it
        check(s, "weights", plain.parameters(), roundTrips.parameters());
        check(s, "optimizer state", plain.optimizerState(), roundTrips.optimizerState());
      }
    }
    System.out.println("twins identical after " + STEPS + " steps");
  }

  private static void check(int step, String what, float[] a, float[] b) {
    for (int i = 0; i < a.length; i++) {
      if (!Float.isFinite(a[i]) || Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(b[i])) {
        System.out.println("step " + step + ", " + what + " " + i + ": " + a[i] + " and " + b[i]);
        System.exit(1);
      }
    }
    if (a.length != b.length || Arrays.equals(a, new float[a.length])) {
      System.out.println("step " + step + ", " + what + ": lengths " + a.length + ", " + b.length + " or all zero");
      System.exit(1);
    }
  }
}
