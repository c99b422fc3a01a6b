package org.radlab.api.publish;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.radlab.api.http.Json;

/**
 * A model as it leaves RadLab: its weights, {@code model.json}, {@code MODEL_CARD.md} (what it is, what it was
 * trained on and how it did) and {@code SHA256SUMS} over the other three, in {@code sha256sum -c} format.
 *
 * @param name  the package name, {@code radlab-model-<id>}
 * @param files file name to content, in package order
 */
public record ModelPackage(String name, Map<String, byte[]> files) {
  public static final String CHECKSUMS = "SHA256SUMS";

  /** Builds the package of the model folder {@code dir} (which holds {@code model.json} and its weights). */
  public static ModelPackage of(long modelId, Path dir, String useCase) throws IOException {
    JsonNode card = Json.MAPPER.readTree(dir.resolve("model.json").toFile());
    String weights = card.path("weights").asText("");
    if (weights.isEmpty() || !Files.isRegularFile(dir.resolve(weights))) {
      throw new IOException("the model has no weights file");
    }
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put(weights, Files.readAllBytes(dir.resolve(weights)));
    files.put("model.json", Files.readAllBytes(dir.resolve("model.json")));
    files.put("MODEL_CARD.md", modelCard(modelId, card, useCase).getBytes(StandardCharsets.UTF_8));
    StringBuilder sums = new StringBuilder();
    files.forEach((file, bytes) -> sums.append(sha256(bytes)).append("  ").append(file).append('\n'));
    files.put(CHECKSUMS, sums.toString().getBytes(StandardCharsets.UTF_8));
    return new ModelPackage("radlab-model-" + modelId, files);
  }

  /** The package as one zip file, its files under a folder named after the package. */
  public byte[] zip() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(out)) {
      for (var e : files.entrySet()) {
        zip.putNextEntry(new ZipEntry(name + "/" + e.getKey()));
        zip.write(e.getValue());
        zip.closeEntry();
      }
    }
    return out.toByteArray();
  }

  /** Writes the package's files to {@code parent/<name>}, whole or not at all (a temporary folder, then a move). */
  public Path writeTo(Path parent) throws IOException {
    Files.createDirectories(parent);
    Path target = parent.resolve(name);
    if (Files.exists(target)) {
      throw new IOException(target + " exists already");
    }
    Path partial = Files.createTempDirectory(parent, "." + name + "-");
    for (var e : files.entrySet()) {
      Files.write(partial.resolve(e.getKey()), e.getValue());
    }
    return Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
  }

  public static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String modelCard(long modelId, JsonNode card, String useCase) {
    StringBuilder md = new StringBuilder();
    md.append("# Model ").append(modelId).append(": ").append(useCase).append("\n\n");
    md.append("| | |\n|---|---|\n");
    row(md, "architecture", card.path("architecture").asText() + " (width " + card.path("width").asText() + ", "
        + card.path("parameterCount").asText() + " parameters)");
    row(md, "classes", String.join(", ", Json.MAPPER.convertValue(card.path("classes"), String[].class)));
    JsonNode pre = card.path("preprocessing");
    row(md, "input", "1 x " + pre.path("inputSize").asText() + " x " + pre.path("inputSize").asText()
        + ", normalized with mean " + fmt(pre.path("mean").asDouble()) + " and standard deviation "
        + fmt(pre.path("std").asDouble()));
    row(md, "training", card.path("trainImages").asText() + " images; validation " + card.path("validationImages")
        .asText() + " images");
    row(md, "status", card.path("status").asText() + ", best epoch " + card.path("bestEpoch").asText());
    row(md, "label snapshot SHA-256", card.path("labelsSha256").asText());
    JsonNode v = card.path("validation");
    md.append("\n## Validation (best epoch)\n\n| metric | value |\n|---|---|\n");
    row(md, "studies", v.path("studies").asText());
    row(md, "linear-weighted kappa", fmt(v.path("kappaLinear").asDouble()));
    row(md, "AUC", fmt(v.path("auc").asDouble()));
    row(md, "accuracy", fmt(v.path("accuracy").asDouble()));
    row(md, "loss", fmt(v.path("loss").asDouble()));
    md.append("\nConfusion matrix (rows: reference, columns: predicted): ").append(v.path("confusionMatrix"))
        .append("\n\n## Learning curves\n\n| epoch | train loss | validation loss | kappa | AUC |\n|---|---|---|---|---|\n");
    for (JsonNode c : card.path("curves")) {
      md.append("| ").append(c.path("epoch").asText()).append(" | ").append(fmt(c.path("trainLoss").asDouble()))
          .append(" | ").append(fmt(c.path("validationLoss").asDouble())).append(" | ")
          .append(fmt(c.path("kappa").asDouble())).append(" | ").append(fmt(c.path("auc").asDouble())).append(" |\n");
    }
    md.append("\nFiles: the weights (").append(card.path("weights").asText()).append("), model.json (everything "
        + "above and the training config), and SHA256SUMS (check with `sha256sum -c SHA256SUMS`).\n");
    return md.toString();
  }

  private static void row(StringBuilder md, String key, String value) {
    md.append("| ").append(key).append(" | ").append(value).append(" |\n");
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.4f", v);
  }
}
