package org.radlab.core.model;

import org.radlab.core.launch.NativeMemory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Process-wide libtorch settings, applied once before the engine loads: DJL stays offline (libtorch comes from the
 * native jar on the classpath, never from the network) and uses {@code threads} intra-op threads, at most the
 * processors this JVM may use. More threads than cores oversubscribes the machine. A JVM started without the
 * environment of {@link NativeMemory} says so once in its log.
 */
public final class TorchSetup {
  private static final Logger LOG = LoggerFactory.getLogger(TorchSetup.class);
  private static boolean done;

  private TorchSetup() {}

  public static synchronized void useThreads(int threads) {
    if (System.getProperty("ai.djl.offline") == null) {
      System.setProperty("ai.djl.offline", "true");
    }
    if (!done) {
      int n = Math.max(1, Math.min(threads, Runtime.getRuntime().availableProcessors()));
      System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(n));
      System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
      done = true;
      if (System.getenv(NativeMemory.VARIABLE) == null) {
        LOG.info("{} is not set in this JVM: libtorch's steps run slower (ResNet-18 by a tenth, a U-Net at 256 px"
            + " three times); RadLab's launchers set {}", NativeMemory.VARIABLE, NativeMemory.TUNABLES);
      }
      if (n > 1 && System.getenv(NativeMemory.ONEDNN_ISA) == null) {
        LOG.warn("{} is not set in this JVM: with {} threads, oneDNN's AVX-512 convolution kernels have given wrong "
            + "(NaN) gradients; RadLab's launchers set {}={}", NativeMemory.ONEDNN_ISA, n, NativeMemory.ONEDNN_ISA,
            NativeMemory.ONEDNN_ISA_CAP);
      }
    }
  }
}
