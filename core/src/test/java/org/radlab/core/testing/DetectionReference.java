package org.radlab.core.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The independent numpy reference of the detection metrics ({@code reference/detection_metrics.py}: COCO's
 * evaluation and FROC), run by Debian's Python on a truth and a predictions CSV ({@code image,x_min,y_min,x_max,
 * y_max,label[,score]}).
 */
public final class DetectionReference {
  private DetectionReference() {}

  /** The reference's JSON for the two files; {@code froc} false leaves out FROC (slow on many detections). */
  public static JsonNode run(Path truth, Path predictions, Path workDir, boolean froc)
      throws IOException, InterruptedException {
    Path script = workDir.resolve("detection_metrics.py");
    try (InputStream in = DetectionReference.class.getResourceAsStream("/reference/detection_metrics.py")) {
      Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
    }
    List<String> command = new ArrayList<>(List.of("/usr/bin/python3", script.toString(), truth.toString(),
        predictions.toString()));
    if (!froc) {
      command.add("--no-froc");
    }
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(5, TimeUnit.MINUTES), "the reference did not end");
    assertEquals(0, p.exitValue(), out);
    return new ObjectMapper().readTree(out);
  }
}
