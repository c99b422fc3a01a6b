package org.radlab.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.radlab.core.model.Replica;
import org.radlab.prep.synth.SynthCommand;

/**
 * The uploads of issue 16 against a real server process with a 1 GiB heap: PNGs that declare 40000 x 40000 and
 * 60000 x 60000 pixels, and an RLE DICOM whose Rows and Columns were patched to 40000. Each is refused with a 422
 * naming its dimensions and the limit, without the server filling its heap, and the server answers a real image
 * afterwards. The model is an untrained ResNet-18 saved by core's replica, registered as a training job would be.
 */
class UploadBoundsTest {
  @TempDir static Path tmp;
  static ServerProcess server;
  static Http http;
  static String admin;
  static long model;

  @BeforeAll
  static void start() throws Exception {
    Path home = tmp.resolve("home");
    Path modelDir = home.resolve("models").resolve("bounds");
    Files.createDirectories(modelDir);
    try (Replica replica = new Replica(new Replica.Spec("resnet18", 0.125, 4, 32, "categorical_cross_entropy",
        0.25, 2, "adam", 1e-3, 1)); OutputStream out = Files.newOutputStream(modelDir.resolve("weights.params"))) {
      replica.save(out);
    }
    Files.writeString(modelDir.resolve("model.json"), """
        {"id": "bounds", "architecture": "resnet18", "width": 0.125, "classes": ["A", "B", "C", "D"],
         "preprocessing": {"inputSize": 32, "mean": 0.5, "std": 0.25, "tensorSide": 32},
         "weights": "weights.params", "status": "finished"}
        """);
    server = ServerProcess.start(home, tmp.resolve("server.log"));
    http = new Http(server.port);
    admin = server.firstToken;
    model = register(home, modelDir);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  /** The rows a finished training leaves: a dataset, its succeeded train job, and the model. */
  private static long register(Path home, Path modelDir) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + home.resolve("radlab.db"))) {
      try (Statement s = c.createStatement()) {
        s.execute("PRAGMA busy_timeout = 30000");
      }
      long adminId = single(c, "SELECT min(id) FROM app_user WHERE role = 'admin'");
      String now = "2026-12-06T00:00:00Z";
      long dataset = insert(c, "INSERT INTO dataset (name, use_case_id, source, path, status, created_by, "
          + "created_at) VALUES ('bounds', 1, 'none', ?, 'ready', ?, ?)", home.resolve("datasets/bounds").toString(),
          adminId, now);
      long job = insert(c, "INSERT INTO job (kind, owner_id, status, config, dataset_id, submitted_at) VALUES "
          + "('train', ?, 'SUCCEEDED', '{}', ?, ?)", adminId, dataset, now);
      return insert(c, "INSERT INTO model (job_id, owner_id, use_case_id, dataset_id, path, architecture, status, "
          + "created_at) VALUES (?, ?, 1, ?, ?, 'resnet18', 'finished', ?)", job, adminId, dataset,
          modelDir.toString(), now);
    }
  }

  private static long single(Connection c, String sql) throws Exception {
    try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
      assertTrue(r.next());
      return r.getLong(1);
    }
  }

  private static long insert(Connection c, String sql, Object... values) throws Exception {
    try (PreparedStatement p = c.prepareStatement(sql, Statement.RETURN_GENERATED_KEYS)) {
      for (int i = 0; i < values.length; i++) {
        p.setObject(i + 1, values[i]);
      }
      assertEquals(1, p.executeUpdate());
      try (ResultSet keys = p.getGeneratedKeys()) {
        assertTrue(keys.next());
        return keys.getLong(1);
      }
    }
  }

  private static String predict() {
    return "/api/models/" + model + "/predict";
  }

  /** A real image the model answers: 4 probabilities adding up to 1. */
  private static void assertStillPredicts() throws IOException {
    BufferedImage image = new BufferedImage(64, 48, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < 48; y++) {
      for (int x = 0; x < 64; x++) {
        image.getRaster().setSample(x, y, 0, (x * 4 + y) % 256);
      }
    }
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    ImageIO.write(image, "png", png);
    JsonNode p = http.upload(predict(), admin, png.toByteArray(), "image/png").expect(200).json();
    double sum = 0;
    for (String code : List.of("A", "B", "C", "D")) {
      sum += p.path("probabilities").path(code).asDouble(-1);
    }
    assertEquals(1.0, sum, 1e-4, p.toString());
  }

  /**
   * A PNG written by Python's zlib (not by the code under test): 1-bit grey, all black, declaring {@code width x
   * height}. With {@code rows} 1 it carries a single row, so it is a few dozen bytes; with {@code rows == height} it
   * is the complete image.
   */
  private static byte[] png(int width, int height, int rows) throws Exception {
    Path file = tmp.resolve("png-" + width + "x" + height + "-" + rows + ".png");
    String script = String.join("\n",
        "import struct, sys, zlib",
        "w, h, rows, path = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]",
        "def chunk(kind, data):",
        "    return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data))",
        "row = bytes(1 + (w + 7) // 8)",
        "z = zlib.compressobj(9)",
        "parts = [z.compress(row * min(1000, rows - done)) for done in range(0, rows, 1000)] + [z.flush()]",
        "with open(path, 'wb') as f:",
        "    f.write(b'\\x89PNG\\r\\n\\x1a\\n')",
        "    f.write(chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 1, 0, 0, 0, 0)))",
        "    f.write(chunk(b'IDAT', b''.join(parts)))",
        "    f.write(chunk(b'IEND', b''))");
    run("/usr/bin/python3", "-c", script, String.valueOf(width), String.valueOf(height), String.valueOf(rows),
        file.toString());
    return Files.readAllBytes(file);
  }

  private static String run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    assertTrue(p.waitFor(5, TimeUnit.MINUTES), String.join(" ", command));
    String text = new String(out, StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), command[0] + ": " + text);
    return text;
  }

  private static void assertRefused(Http.Response r, String dimensions) {
    r.expect(422);
    assertEquals("image_too_large", r.json().path("error").asText());
    assertTrue(r.detail().contains(dimensions + " exceeds the limit of 8192 x 8192 pixels"), r.detail());
  }

  @Test
  void aTinyPngDeclaring40000By40000PixelsIsRefusedAndTheServerAnswersAfterwards() throws Exception {
    assertStillPredicts();
    byte[] tiny = png(40000, 40000, 1);
    assertTrue(tiny.length < 100, "a few dozen bytes: " + tiny.length);
    assertRefused(http.upload(predict(), admin, tiny, "image/png"), "40000 x 40000 pixels");
    // four at once, as in the report
    List<Thread> threads = new ArrayList<>();
    List<Http.Response> answers = java.util.Collections.synchronizedList(new ArrayList<>());
    for (int i = 0; i < 4; i++) {
      Thread t = new Thread(() -> answers.add(http.upload(predict(), admin, tiny, "application/octet-stream")));
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      t.join();
    }
    assertEquals(4, answers.size());
    answers.forEach(r -> assertRefused(r, "40000 x 40000 pixels"));
    assertStillPredicts();
    assertNoOutOfMemory();
  }

  @Test
  void aComplete60000By60000PngIsRefused() throws Exception {
    byte[] big = png(60000, 60000, 60000);
    assertTrue(big.length > 100_000, "the whole image, compressed: " + big.length);
    assertRefused(http.upload(predict(), admin, big, "image/png"), "60000 x 60000 pixels");
    assertStillPredicts();
    assertNoOutOfMemory();
  }

  @Test
  void anRleDicomWithRowsAndColumnsPatchedTo40000IsRefused() throws Exception {
    Path dicom = tmp.resolve("synth");
    int rc = new picocli.CommandLine(new SynthCommand()).execute("--out", dicom.toString(), "--studies", "1",
        "--seed", "16", "--rows", "96", "--columns", "80", "--transfer-syntax", "explicit-le");
    assertEquals(0, rc, "synth failed");
    Path plain;
    try (var files = Files.walk(dicom)) {
      plain = files.filter(f -> f.toString().endsWith(".dcm")).sorted().findFirst().orElseThrow();
    }
    Path rle = tmp.resolve("rle.dcm");
    run("/usr/bin/dcmcrle", plain.toString(), rle.toString());
    // the unpatched RLE file predicts
    JsonNode ok = http.upload(predict(), admin, Files.readAllBytes(rle), "application/dicom").expect(200).json();
    assertEquals("uploaded DICOM", ok.path("input").asText());

    run("/usr/bin/dcmodify", "-nb", "-m", "(0028,0010)=40000", "-m", "(0028,0011)=40000", rle.toString());
    assertTrue(run("/usr/bin/dcmdump", "-q", "+P", "Rows", rle.toString()).contains("40000"));
    assertRefused(http.upload(predict(), admin, Files.readAllBytes(rle), "application/dicom"),
        "40000 x 40000 pixels");
    assertStillPredicts();
    assertNoOutOfMemory();
  }

  private static void assertNoOutOfMemory() throws IOException {
    String log = Files.readString(server.log);
    assertFalse(log.contains("OutOfMemoryError"), "the server ran out of memory:\n" + log);
    assertFalse(log.contains(predict() + " failed"), "the server failed on a prediction:\n" + log);
    assertTrue(server.process.isAlive());
  }
}
