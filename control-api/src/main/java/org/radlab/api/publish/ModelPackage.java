package org.radlab.api.publish;

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
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.radlab.api.http.Json;
import org.radlab.core.model.ModelCard;
import org.radlab.core.model.Preprocessing;

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
    ModelCard card = ModelCard.in(dir);
    if (!card.hasWeightsIn(dir)) {
      throw new IOException("the model has no weights file");
    }
    String weights = card.weights();
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put(weights, Files.readAllBytes(dir.resolve(weights)));
    files.put(ModelCard.FILE, Files.readAllBytes(dir.resolve(ModelCard.FILE)));
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

  private static String modelCard(long modelId, ModelCard card, String useCase) throws IOException {
    StringBuilder md = new StringBuilder();
    md.append("# Model ").append(modelId).append(": ").append(useCase).append("\n\n");
    md.append("| | |\n|---|---|\n");
    row(md, "architecture", card.architecture() + " (width " + card.width() + ", " + card.parameterCount()
        + " parameters)");
    row(md, "classes", String.join(", ", card.classes()));
    Preprocessing pre = card.preprocessing();
    row(md, "input", "1 x " + pre.inputSize() + " x " + pre.inputSize() + ", normalized with mean " + fmt(pre.mean())
        + " and standard deviation " + fmt(pre.std()));
    row(md, "task", card.task().id());
    row(md, "training", card.trainImages() + " images; validation " + card.validationImages() + " images");
    row(md, "status", card.status() + ", best epoch " + card.bestEpoch());
    row(md, "label snapshot SHA-256", card.labelsSha256());
    ModelCard.Validation v = card.validation();
    boolean detector = card.task() == org.radlab.core.task.TaskType.DETECTION;
    md.append("\n## Validation (best epoch)\n\n| metric | value |\n|---|---|\n");
    if (v != null && detector) {
      row(md, "images", String.valueOf(v.studies()));
      row(md, "mAP (IoU 0.5 to 0.95)", fmt(v.map()));
      row(md, "AP50", fmt(v.ap50()));
      row(md, "AP75", fmt(v.ap75()));
      if (v.apPerClass() != null) {
        v.apPerClass().forEach((c, ap) -> row(md, "AP of " + c, fmt(ap)));
      }
      row(md, "loss", fmt(v.loss()));
    } else if (v != null) {
      row(md, "studies", String.valueOf(v.studies()));
      row(md, "linear-weighted kappa", fmt(v.kappaLinear()));
      row(md, "AUC", fmt(v.auc()));
      row(md, "accuracy", fmt(v.accuracy()));
      row(md, "loss", fmt(v.loss()));
      md.append("\nConfusion matrix (rows: reference, columns: predicted): ")
          .append(Json.MAPPER.writeValueAsString(v.confusionMatrix()));
    }
    md.append("\n\n## Learning curves\n\n| epoch | train loss | validation loss | ")
        .append(detector ? "mAP | AP50 |\n" : "kappa | AUC |\n").append("|---|---|---|---|---|\n");
    for (ModelCard.EpochStats c : card.curves() == null ? List.<ModelCard.EpochStats>of() : card.curves()) {
      md.append("| ").append(c.epoch()).append(" | ").append(fmt(c.trainLoss())).append(" | ")
          .append(fmt(c.validationLoss())).append(" | ")
          .append(detector ? fmt(c.map()) : fmt(c.kappa())).append(" | ")
          .append(detector ? fmt(c.ap50()) : fmt(c.auc())).append(" |\n");
    }
    md.append("\nFiles: the weights (").append(card.weights()).append("), model.json (everything "
        + "above and the training config), and SHA256SUMS (check with `sha256sum -c SHA256SUMS`).\n");
    return md.toString();
  }

  private static void row(StringBuilder md, String key, String value) {
    md.append("| ").append(key).append(" | ").append(value).append(" |\n");
  }

  private static String fmt(Double v) {
    return v == null ? "–" : String.format(Locale.ROOT, "%.4f", v);
  }
}
