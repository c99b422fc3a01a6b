package org.radlab.core.model.detection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The detector loss on random outputs against real targets, term by term, against a numpy implementation of FCOS's
 * definitions run in the test; and a value worked by hand.
 */
class DetectionLossTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path tmp;

  @Test
  void agreesWithNumpy() throws Exception {
    List<CenterTargets> targets = List.of(
        CenterTargets.assign(List.of(new CenterTargets.Box(3, 5, 20, 17, 0), new CenterTargets.Box(18, 2, 31, 30, 1)),
            32, 4),
        CenterTargets.assign(List.of(new CenterTargets.Box(1, 1, 6, 5, 1)), 32, 4));
    Random random = new Random(8);
    int n = 2;
    int classes = 2;
    int grid = 8;
    try (NDManager m = NDManager.newBaseManager()) {
      NDList labels = DetectionBatch.labels(m, targets, classes);
      NDArray cls = m.create(values(random, n * classes * grid * grid, 3, 0), new Shape(n, classes, grid, grid));
      NDArray dist = m.create(values(random, n * 4 * grid * grid, 1.5, 2), new Shape(n, 4, grid, grid));
      NDArray ctr = m.create(values(random, n * grid * grid, 2, 0), new Shape(n, 1, grid, grid));
      NDArray[] terms = new DetectionLoss(0.25, 2).terms(labels, new NDList(cls, dist, ctr));

      ObjectNode input = JSON.createObjectNode().put("alpha", 0.25).put("gamma", 2.0);
      input.set("cls", nested(cls));
      input.set("dist", nested(dist));
      input.set("ctr", nested(ctr));
      input.set("cls_t", nested(labels.get(0)));
      input.set("dist_t", nested(labels.get(1)));
      input.set("ctr_t", nested(labels.get(2)));
      input.set("pos", nested(labels.get(3)));
      JsonNode ref = reference(input);
      // within 1.5 cells (6 px) of the centres, inside the boxes: 3 x 3, 3 x 2, and the small box's one cell
      assertEquals(16, (int) labels.get(3).sum().getFloat(), "positive cells");
      for (int k = 0; k < 3; k++) {
        double ours = terms[k].getFloat();
        assertEquals(ref.get(k).asDouble(), ours, 1e-4 * Math.max(1, Math.abs(ours)), "term " + k);
      }
    }
  }

  @Test
  void aPerfectBoxCostsNothingAndTheCentrenessTermIsItsCrossEntropy() {
    // one 2 x 2 grid, one class, one positive cell predicting exactly its target box
    try (NDManager m = NDManager.newBaseManager()) {
      NDList labels = new NDList(
          m.create(new float[] {1, 0, 0, 0}, new Shape(1, 1, 2, 2)),
          m.create(new float[] {1, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0}, new Shape(1, 4, 2, 2)),
          m.create(new float[] {0.5f, 0, 0, 0}, new Shape(1, 1, 2, 2)),
          m.create(new float[] {1, 0, 0, 0}, new Shape(1, 1, 2, 2)));
      NDList predictions = new NDList(
          m.create(new float[] {0, -100, -100, -100}, new Shape(1, 1, 2, 2)),
          m.create(new float[] {1, 1, 1, 1, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, new Shape(1, 4, 2, 2)),
          m.create(new float[] {0, 9, 9, 9}, new Shape(1, 1, 2, 2)));
      NDArray[] terms = new DetectionLoss(0.25, 2).terms(labels, predictions);
      // the positive cell's logit 0: p = 1/2, focal = 0.25 * (1/2)^2 * ln 2; background cells ~0
      assertEquals(0.25 * 0.25 * Math.log(2), terms[0].getFloat(), 1e-6);
      assertEquals(0, terms[1].getFloat(), 1e-6);
      // logit 0 against 0.5: ln 2
      assertEquals(Math.log(2), terms[2].getFloat(), 1e-6);
      assertTrue(terms[0].add(terms[1]).add(terms[2]).getFloat() > 0);
    }
  }

  private static float[] values(Random random, int count, double spread, double offset) {
    float[] v = new float[count];
    for (int i = 0; i < count; i++) {
      v[i] = (float) (offset + spread * (random.nextDouble() * 2 - 1));
    }
    return v;
  }

  /** The array as nested JSON lists of its shape. */
  private static JsonNode nested(NDArray a) {
    float[] flat = a.toFloatArray();
    long[] shape = a.getShape().getShape();
    return nest(flat, shape, 0, 0);
  }

  private static JsonNode nest(float[] flat, long[] shape, int axis, int offset) {
    var list = JSON.createArrayNode();
    int stride = 1;
    for (int k = axis + 1; k < shape.length; k++) {
      stride *= (int) shape[k];
    }
    for (int i = 0; i < shape[axis]; i++) {
      if (axis == shape.length - 1) {
        list.add(flat[offset + i]);
      } else {
        list.add(nest(flat, shape, axis + 1, offset + i * stride));
      }
    }
    return list;
  }

  private JsonNode reference(JsonNode input) throws Exception {
    Path script = tmp.resolve("detection_loss.py");
    try (InputStream in = getClass().getResourceAsStream("/reference/detection_loss.py")) {
      Files.copy(in, script);
    }
    Process p = new ProcessBuilder("/usr/bin/python3", script.toString()).redirectErrorStream(true).start();
    p.getOutputStream().write(JSON.writeValueAsBytes(input));
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(2, TimeUnit.MINUTES), "the reference did not end");
    assertEquals(0, p.exitValue(), out);
    return JSON.readTree(out);
  }
}
