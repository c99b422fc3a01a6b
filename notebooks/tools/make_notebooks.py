#!/usr/bin/python3
"""Writes RadLab's exploration notebooks (notebooks/0*.ipynb) from the cell texts below, without outputs.

Edit the cells here, then run `/usr/bin/python3 notebooks/tools/make_notebooks.py`: the notebooks are generated
files, so their shared cells (display helpers, workspace, Spark session) stay the same in all five. Needs Debian's
python3-nbformat (installed with Jupyter by bin/bootstrap). cli's NotebooksTest runs the five notebooks in order.
"""
import pathlib

import nbformat as nbf

HERE = pathlib.Path(__file__).resolve().parent.parent

# ---------------------------------------------------------------------------------------------------------------
# Cells shared by the notebooks
# ---------------------------------------------------------------------------------------------------------------

HELPERS = r'''// Display helpers: HTML tables and PNG images in the notebook (display_data outputs), and number formatting.
import java.awt.Color
import java.awt.image.BufferedImage
import java.nio.file.Files
import java.nio.file.Path
import java.util.Base64
import java.util.Locale
import javax.imageio.ImageIO
import org.knowm.xchart.BitmapEncoder
import org.knowm.xchart.XYSeries
import org.knowm.xchart.internal.chartpart.Chart
import org.knowm.xchart.style.lines.SeriesLines
import org.knowm.xchart.style.markers.Marker
import org.knowm.xchart.style.markers.SeriesMarkers

fun esc(value: Any?): String =
    value.toString().replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

/** A number with [digits] decimals; NaN (an undefined metric) as a dash. */
fun fmt(x: Double, digits: Int = 3): String = if (x.isNaN()) "–" else String.format(Locale.ROOT, "%.${digits}f", x)

/** An HTML table: one header row, then the rows; numbers right-aligned, doubles with 3 decimals. */
fun htmlTable(header: List<String>, rows: List<List<Any?>>, caption: String? = null): MimeTypedResult {
    val html = StringBuilder("<table>")
    if (caption != null) html.append("<caption>").append(esc(caption)).append("</caption>")
    html.append("<thead><tr>").append(header.joinToString("") { "<th>${esc(it)}</th>" }).append("</tr></thead><tbody>")
    for (row in rows) {
        html.append("<tr>")
        for (cell in row) {
            val text = when (cell) {
                is Double -> fmt(cell)
                is Float -> fmt(cell.toDouble())
                null -> ""
                else -> cell.toString()
            }
            val align = if (cell is Number) " style=\"text-align:right\"" else ""
            html.append("<td$align>").append(esc(text)).append("</td>")
        }
        html.append("</tr>")
    }
    return HTML(html.append("</tbody></table>").toString())
}

fun png(bytes: ByteArray): MimeTypedResult = MIME("image/png" to Base64.getEncoder().encodeToString(bytes))

fun png(image: BufferedImage): MimeTypedResult {
    val out = java.io.ByteArrayOutputStream()
    ImageIO.write(image, "png", out)
    return png(out.toByteArray())
}

/** Styles an XChart line or scatter series: colour, marker (none by default), dashed, scatter (no line). */
fun style(s: XYSeries, colour: Color, marker: Marker = SeriesMarkers.NONE, dashed: Boolean = false,
          scatter: Boolean = false, legend: Boolean = true): XYSeries {
    s.setLineColor(colour)
    s.setMarkerColor(colour)
    s.setMarker(marker)
    if (dashed) s.setLineStyle(SeriesLines.DASH_DASH)
    if (scatter) s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter)
    s.setShowInLegend(legend)
    return s
}

fun png(chart: Chart<*, *>): MimeTypedResult = png(BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG))

/** Images side by side (e.g. the PNG charts a job wrote), on white. */
fun sideBySide(images: List<BufferedImage>): BufferedImage {
    val out = BufferedImage(images.sumOf { it.width }, images.maxOf { it.height }, BufferedImage.TYPE_INT_RGB)
    val g = out.createGraphics()
    g.color = Color.WHITE
    g.fillRect(0, 0, out.width, out.height)
    var x = 0
    for (image in images) { g.drawImage(image, x, 0, null); x += image.width }
    g.dispose()
    return out
}

/** One colour per model, the same in every chart. */
val PALETTE = listOf(Color(31, 119, 180), Color(214, 39, 40), Color(44, 160, 44), Color(148, 103, 189))
'''


def spark_cell(app):
    return r'''// A Spark session in local mode, inside this kernel's JVM: the jobs below run in it as they would under
// spark-submit on a cluster (there, `master` would be the cluster's). local[*] uses every core of this machine.
import org.apache.spark.sql.Dataset
import org.apache.spark.sql.Row
import org.apache.spark.sql.SparkSession

val spark: SparkSession = SparkSession.builder().appName("''' + app + r'''").master("local[*]")
    .config("spark.ui.enabled", "false")
    .config("spark.driver.host", "127.0.0.1")
    .config("spark.sql.shuffle.partitions", "4")
    .config("spark.ui.showConsoleProgress", "false")
    // Spark SQL's warehouse folder: in the workspace, not in the notebooks' folder (the kernel's working directory).
    .config("spark.sql.warehouse.dir", notebookDir.resolve("spark-warehouse").toUri().toString())
    .getOrCreate()
spark.sparkContext().setLogLevel("WARN")

/** Any (small) DataFrame as an HTML table. */
fun tableOf(df: Dataset<Row>, caption: String? = null): MimeTypedResult =
    htmlTable(df.columns().toList(), df.collectAsList().map { row -> (0 until row.size()).map { row.get(it) } },
        caption)
println("Spark " + spark.version() + ", " + spark.sparkContext().defaultParallelism() + " cores")
'''


WORKSPACE = r'''// The workspace: $RADLAB_HOME, else ./radlab-home (`bin/radlab notebook` sets RADLAB_HOME). The notebooks read
// and write only below it; what they hand on to each other is in $RADLAB_HOME/notebooks.
import com.fasterxml.jackson.databind.JsonNode
import com.fasterxml.jackson.databind.ObjectMapper
import com.fasterxml.jackson.databind.SerializationFeature
import org.radlab.core.Workspace

val home: Path = Workspace.home().toAbsolutePath().normalize()
val notebookDir: Path = Files.createDirectories(home.resolve("notebooks"))
val json: ObjectMapper = ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
println("workspace: $home")
'''

# What notebook 01 chose, read by notebooks 02-04.
READ_DATASET_CHOICE = r'''// The dataset and label snapshots that 01-explore-dataset chose (it writes them to notebooks/dataset.json).
val choiceFile: Path = notebookDir.resolve("dataset.json")
check(Files.exists(choiceFile)) { "no dataset chosen yet: run 01-explore-dataset first (it writes $choiceFile)" }
val choice: JsonNode = json.readTree(choiceFile.toFile())
check(choice.hasNonNull("devLabels")) {
    "01-explore-dataset found no labels for ${choice.path("dataset").asText()}: set RADLAB_LABELS and run it again" }
val datasetDir: Path = Path.of(choice.path("dataset").asText())
val devLabels: Path = Path.of(choice.path("devLabels").asText())    // training and validation studies
val testLabels: Path = Path.of(choice.path("testLabels").asText())  // held-out studies, for notebooks 03 and 04
for (p in listOf(datasetDir.resolve("images.parquet"), devLabels, testLabels)) {
    check(Files.exists(p)) { "$p is gone: run 01-explore-dataset again" }
}
val classes: List<String> = choice.path("classes").map { it.asText() }
val positive: List<String> = choice.path("positive").map { it.asText() }
println("dataset $datasetDir\nclasses $classes (binary view: ${positive.joinToString("+")} positive)")
'''

# Notebooks 02-04 run models (DJL, PyTorch) in the kernel.
READ_MODELS = r'''// The models that 02-train-model trained (it lists them in notebooks/models.json).
val modelsFile: Path = notebookDir.resolve("models.json")
check(Files.exists(modelsFile)) { "no models yet: run 02-train-model first (it writes $modelsFile)" }
val modelNames: List<String> = json.readTree(modelsFile.toFile()).map { it.path("name").asText() }
val modelDirs: List<Path> = json.readTree(modelsFile.toFile()).map { Path.of(it.path("path").asText()) }
for (dir in modelDirs) {
    check(Files.exists(dir.resolve("weights.params"))) { "$dir has no weights: run 02-train-model again" }
}
println("models: " + modelNames.zip(modelDirs).joinToString { (n, d) -> "$n ($d)" })
'''

# An evaluation is reused when it was made from the same dataset, test labels and models, after the models' last
# training; otherwise EvaluateJob runs again.
EVAL_IMPORTS = r'''import org.radlab.core.jobs.EvalConfig
import org.radlab.eval.EvaluateJob
'''
EVAL_REUSE = r'''
/** The inputs an evaluation folder was made from (notebook.json beside comparison.json). */
fun evaluationInputs(models: List<Path>): Map<String, Any> =
    mapOf("dataset" to datasetDir.toString(), "labels" to testLabels.toString(),
        "models" to models.map { it.toString() })

/** Whether [dir] holds an evaluation of [models] made from these inputs after the models' last training. */
fun upToDate(dir: Path, models: List<Path>): Boolean {
    val marker = dir.resolve("notebook.json")
    val comparison = dir.resolve("comparison.json")
    if (!Files.exists(marker) || !Files.exists(comparison)) return false
    val made = Files.getLastModifiedTime(comparison)
    return json.readValue(marker.toFile(), Map::class.java) == evaluationInputs(models) &&
        models.all { Files.getLastModifiedTime(it.resolve("model.json")) < made }
}
'''

# ---------------------------------------------------------------------------------------------------------------
# 01-explore-dataset
# ---------------------------------------------------------------------------------------------------------------

NB01 = [
    ("md", r'''# 01 · Explore a prepared dataset

What a RadLab dataset holds, read with Spark and RadLab's own library:

* **metadata statistics** by manufacturer, view and breast density (tables and a bar chart),
* an **image grid**: the four views of one study per density class, from the dataset's de-identified PNGs,
* **pixel histograms** per density class, from the training tensors,
* a **held-out test set**: the labelled patients split into development (training and validation, notebook 02)
  and test (notebooks 03 and 04).

**Needs:** only the `radlab` kernel (`bin/radlab notebook` starts Jupyter with it). Run this notebook first.

* Without settings it makes a small synthetic dataset once, under `$RADLAB_HOME`: 80 synthetic screening studies
  (`radlab synth`), prepared by `PrepJob` with the study dates kept (for notebook 04), and the synthetic first
  reader's density labels imported as a label snapshot. Later runs reuse it.
* With `RADLAB_DATASET` set (a folder written by `radlab prep`) it explores that dataset instead; set
  `RADLAB_LABELS` too (a snapshot written by `radlab labels import`) for the density views and for notebooks 02–04.
  The classes are the snapshot's labels; `RADLAB_POSITIVE` (e.g. `C,D`) names the positive classes of the binary
  view (default: C and D for density, else the last class).

It records its choice in `$RADLAB_HOME/notebooks/dataset.json` for 02-train-model, 03-compare-models and
04-assess-over-time.

**Run time:** about a minute on two cores the first time (synthesis and preparation), less afterwards.'''),
    ("code", HELPERS),
    ("code", WORKSPACE),
    ("code", spark_cell("radlab-notebook-01")),
    ("md", r'''## The dataset

The synthetic dataset is made in three steps, each a RadLab entry point that also has a command:

1. `SynthCommand` (`radlab synth`) writes DICOM files and `labels.csv`: two simulated readers' BI-RADS density,
   keyed by the original StudyInstanceUID;
2. `PrepJob.run(spark, PrepJobConfig)` (`radlab prep`) de-identifies and converts them into `images.parquet`, PNGs
   and float32 tensors; `labels.csv` lies in the input folder too, and is rejected as `not_dicom`;
3. `LabelImport.run` (`radlab labels import`) maps the labels onto the dataset's pseudonymous study UIDs through the
   private id map, and writes an immutable snapshot `study_uid,label` under `$RADLAB_HOME/labels`.'''),
    ("code", r'''import org.radlab.core.deid.DatePolicy
import org.radlab.core.jobs.PrepJobConfig
import org.radlab.prep.LabelImport
import org.radlab.prep.PrepJob
import org.radlab.prep.synth.SynthCommand
import picocli.CommandLine

val DENSITY = listOf("A", "B", "C", "D")

/** Synthesizes, prepares and labels the notebooks' own small dataset, or reuses it; returns (dataset, labels). */
fun syntheticDataset(): Pair<Path, Path> {
    val dicom = notebookDir.resolve("synth-dicom")
    if (!Files.exists(dicom.resolve("labels.csv"))) {
        val rc = CommandLine(SynthCommand()).execute("--out", dicom.toString(), "--studies", "80", "--seed", "5",
            "--rows", "128", "--columns", "104")
        check(rc == 0) { "radlab synth failed (exit $rc)" }
    }
    val dataset = home.resolve("datasets").resolve("notebook-synth")
    if (!Files.exists(dataset.resolve("summary.json"))) {
        // PNGs of at most 256 px, 64 x 64 tensors; the study dates kept, so that notebook 04 has a timeline.
        val config = PrepJobConfig.of(dicom.toString(), dataset.toString()).withSizes(256, 64)
            .withDates(DatePolicy.KEEP)
        val summary = PrepJob.run(spark, config)
        println("prepared ${summary.images()} images; ${summary.rejected()} file(s) rejected")
    }
    val report = LabelImport.run(spark, LabelImport.Request(dataset.toString(), null, dicom.resolve("labels.csv"),
        "StudyInstanceUID", "density", DENSITY, home.resolve("labels"), null))
    println(LabelImport.describe(report))
    return dataset to report.snapshot()
}

val givenDataset: String? = System.getenv("RADLAB_DATASET")?.takeIf { it.isNotBlank() }
val chosen: Pair<Path, Path?> = if (givenDataset != null) {
    val dir = Path.of(givenDataset).toAbsolutePath().normalize()
    check(Files.isDirectory(dir.resolve("images.parquet"))) {
        "RADLAB_DATASET=$givenDataset is not a prepared dataset (no images.parquet): run radlab prep on it first" }
    val labels = System.getenv("RADLAB_LABELS")?.takeIf { it.isNotBlank() }?.let { Path.of(it).toAbsolutePath() }
    check(labels == null || Files.isRegularFile(labels)) { "RADLAB_LABELS=$labels is not a file" }
    dir to labels
} else {
    syntheticDataset()
}
val datasetDir: Path = chosen.first
val labelsFile: Path? = chosen.second
println("dataset: $datasetDir\nlabels:  ${labelsFile ?: "none (set RADLAB_LABELS for the density views)"}")'''),
    ("code", r'''import org.radlab.core.dataset.DatasetLayout
import org.radlab.core.dataset.DatasetSummary
// The tables: images.parquet (one row per image: pseudonymous ids, header fields, PNG path, tensor statistics), the
// label snapshot (study_uid,label) and summary.json. Temporary views let the cells below use plain SQL.
val images = spark.read().parquet(datasetDir.resolve("images.parquet").toString())
images.createOrReplaceTempView("images")
if (labelsFile != null) {
    spark.read().option("header", "true").csv(labelsFile.toString()).createOrReplaceTempView("labels")
} else {
    spark.sql("SELECT CAST(NULL AS STRING) AS study_uid, CAST(NULL AS STRING) AS label WHERE false")
        .createOrReplaceTempView("labels")
}
// Every image with its study's label (null when the study has none).
spark.sql("SELECT i.*, l.label AS density FROM images i LEFT JOIN labels l ON i.study_uid = l.study_uid")
    .createOrReplaceTempView("labelled")

val labelClasses: List<String> = spark.sql("SELECT DISTINCT label FROM labels WHERE label IS NOT NULL")
    .collectAsList().map { it.getString(0) }.sorted()
val classes: List<String> =
    if (labelClasses.isNotEmpty() && DENSITY.containsAll(labelClasses)) DENSITY else labelClasses
val positive: List<String> = System.getenv("RADLAB_POSITIVE")?.takeIf { it.isNotBlank() }?.split(",")?.map { it.trim() }
    ?: if (classes == DENSITY) listOf("C", "D") else classes.takeLast(1)
check(positive.all { it in classes }) { "RADLAB_POSITIVE=$positive names a class not in the labels $classes" }

val summary = DatasetSummary.read(datasetDir.resolve(DatasetLayout.SUMMARY))
DISPLAY(htmlTable(listOf("files converted", "images", "files rejected", "tensor mean", "tensor std"),
    listOf(listOf(summary.convertedFiles(), summary.images(), summary.rejected(), summary.tensorMean(),
        summary.tensorStd())),
    "summary.json"))
DISPLAY(htmlTable(listOf("transfer syntax", "UID", "files converted", "files rejected"),
    summary.transferSyntaxes().map { (uid, s) -> listOf(s.name(), uid, s.converted(), s.rejected()) },
    "files per transfer syntax; rejects: " + summary.rejectReasons()))'''),
    ("md", r'''## Metadata statistics

Counts by manufacturer, by view and by density class. A study is one screening exam (four views); a patient can
have more than one. `photometric` shows that one manufacturer stores its images inverted (MONOCHROME1): prep has
turned those round, so that dense tissue is bright in every PNG and tensor.'''),
    ("code", r'''DISPLAY(tableOf(spark.sql("""
    SELECT manufacturer, count(DISTINCT patient_id) AS patients, count(DISTINCT study_uid) AS studies,
           count(*) AS images, concat_ws(' ', sort_array(collect_set(photometric))) AS photometric,
           concat_ws(' ', sort_array(collect_set(concat(rows, 'x', columns)))) AS `rows x columns`,
           min(study_date) AS `first study`, max(study_date) AS `last study`,
           round(avg(tensor_mean), 3) AS `mean pixel`
    FROM images GROUP BY manufacturer ORDER BY manufacturer"""), "by manufacturer"))
DISPLAY(tableOf(spark.sql("""
    SELECT view_position AS view, laterality, count(*) AS images, round(avg(tensor_mean), 3) AS `mean pixel`
    FROM images GROUP BY view_position, laterality ORDER BY view_position, laterality"""), "by view"))
DISPLAY(tableOf(spark.sql("""
    SELECT coalesce(density, '(unlabelled)') AS density, count(DISTINCT study_uid) AS studies, count(*) AS images,
           round(avg(tensor_mean), 3) AS `mean pixel`, round(avg(tensor_std), 3) AS `pixel std`
    FROM labelled GROUP BY density ORDER BY density"""), "by density"))'''),
    ("code", r'''// Studies per density class and manufacturer: a table, and the same as a grouped bar chart (XChart).
import org.knowm.xchart.CategoryChartBuilder

if (classes.isNotEmpty()) DISPLAY(tableOf(spark.sql("""
    SELECT manufacturer, """ + classes.joinToString(", ") {
        "count(DISTINCT CASE WHEN density = '$it' THEN study_uid END) AS `$it`" } + """
    FROM labelled GROUP BY manufacturer ORDER BY manufacturer"""), "studies per manufacturer and density"))
val perClass = spark.sql("""
    SELECT manufacturer, density, count(DISTINCT study_uid) AS studies FROM labelled
    WHERE density IS NOT NULL GROUP BY manufacturer, density""").collectAsList()
if (perClass.isEmpty()) {
    println("no labels: set RADLAB_LABELS for the density views")
} else {
    val bars = CategoryChartBuilder().width(720).height(360).title("Studies per density class")
        .xAxisTitle("density").yAxisTitle("studies").build()
    for (m in perClass.map { it.getString(0) }.distinct().sorted()) {
        bars.addSeries(m, classes, classes.map { c ->
            perClass.firstOrNull { it.getString(0) == m && it.getString(1) == c }?.getLong(2) ?: 0L })
    }
    DISPLAY(png(bars))
}'''),
    ("md", r'''## Image grid

The PNGs annotators see (`png/xx/<image_id>.png`, paths in `images.parquet`): one study per density class, its
four views. Prep mirrors right-breast images, so every chest wall is on the left.'''),
    ("code", r'''import java.awt.Font
import java.awt.RenderingHints

val tile = 150
val left = 130
val views = listOf("L" to "CC", "L" to "MLO", "R" to "CC", "R" to "MLO")
// Per class, the first study (by pseudonymous UID) that has all four views; without labels, the first study.
val examples: List<Row> = if (labelsFile != null) spark.sql("""
    SELECT density, study_uid, laterality, view_position, png_path, manufacturer FROM labelled
    WHERE study_uid IN (SELECT min(study_uid) FROM (SELECT study_uid, density FROM labelled WHERE density IS NOT NULL
                        GROUP BY study_uid, density HAVING count(*) >= 4) GROUP BY density)""").collectAsList()
    else spark.sql("""SELECT 'study', study_uid, laterality, view_position, png_path, manufacturer FROM images
                      WHERE study_uid = (SELECT min(study_uid) FROM images)""").collectAsList()
check(examples.isNotEmpty()) { "no study with four views" }
val shown = examples.map { it.getString(0) }.distinct().sortedBy { if (it in classes) classes.indexOf(it) else 0 }
val grid = BufferedImage(left + views.size * tile, 24 + shown.size * tile, BufferedImage.TYPE_INT_RGB)
val g = grid.createGraphics()
g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR)
g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON)
g.color = Color.WHITE; g.fillRect(0, 0, grid.width, grid.height)
g.color = Color.BLACK
val bold = Font(Font.SANS_SERIF, Font.BOLD, 14)
val small = Font(Font.SANS_SERIF, Font.PLAIN, 10)
g.font = bold
views.forEachIndexed { i, (side, view) -> g.drawString("$side $view", left + i * tile + tile / 2 - 18, 17) }
shown.forEachIndexed { r, label ->
    val rows = examples.filter { it.getString(0) == label }
    val y = 24 + r * tile
    g.font = bold; g.drawString(label, 8, y + tile / 2 - 8)
    g.font = small
    rows.first().getString(5).split(" ").chunked(2).forEachIndexed { i, words ->
        g.drawString(words.joinToString(" "), 8, y + tile / 2 + 8 + 12 * i) }
    views.forEachIndexed { c, (side, view) ->
        val row = rows.firstOrNull { it.getString(2) == side && it.getString(3) == view }
        if (row != null) {
            val image = ImageIO.read(datasetDir.resolve(row.getString(4)).toFile())
            val scale = minOf((tile - 6).toDouble() / image.width, (tile - 6).toDouble() / image.height)
            val w = (image.width * scale).toInt()
            val h = (image.height * scale).toInt()
            g.drawImage(image, left + c * tile + (tile - w) / 2, y + (tile - h) / 2, w, h, null)
        }
    }
}
g.dispose()
DISPLAY(png(grid))'''),
    ("md", r'''## Pixel histograms per density class

The training tensors (`tensors/`: `side` × `side` float32 values in [0, 1], little-endian, one row per image) of up
to 40 images per class. Values below 0.1 are background (black, or the dark grey of the detector outside the
breast) and are left out, so each curve is the distribution of the breast's own pixels: the denser the class, the
more of them are bright.'''),
    ("code", r'''import java.nio.ByteBuffer
import java.nio.ByteOrder
import org.knowm.xchart.XYChartBuilder
import org.knowm.xchart.style.markers.SeriesMarkers

val bins = 40
val floor = 0.1f
// Spark SQL can query a Parquet folder directly: parquet.`path`.
val sample = spark.sql("""
    SELECT density, data FROM (
      SELECT l.density, t.data, row_number() OVER (PARTITION BY l.density ORDER BY l.image_id) AS n
      FROM labelled l JOIN parquet.`""" + datasetDir.resolve("tensors") + """` t ON l.image_id = t.image_id
      WHERE l.density IS NOT NULL)
    WHERE n <= 40""").collectAsList()
val histograms = LinkedHashMap<String, DoubleArray>()
for (row in sample) {
    val h = histograms.getOrPut(row.getString(0)) { DoubleArray(bins) }
    val values = ByteBuffer.wrap(row.getAs<ByteArray>("data")).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer()
    while (values.hasRemaining()) {
        val v = values.get()
        if (v >= floor) h[minOf(bins - 1, ((v - floor) / (1 - floor) * bins).toInt())] += 1.0
    }
}
val centres = DoubleArray(bins) { floor + (it + 0.5) * (1 - floor) / bins }
val shownClasses = classes.filter { it in histograms }
if (shownClasses.isEmpty()) {
    println("no labels: set RADLAB_LABELS for the histograms per class")
} else {
    val chart = XYChartBuilder().width(720).height(400).title("Breast pixel values per density class")
        .xAxisTitle("tensor value (0 = black, 1 = white)").yAxisTitle("share of breast pixels").build()
    chart.styler.setXAxisMin(0.0).setXAxisMax(1.0).setXAxisDecimalPattern("0.0")
    for (c in shownClasses) {
        val h = histograms.getValue(c)
        chart.addSeries("$c (${sample.count { it.getString(0) == c }} images)", centres,
            DoubleArray(bins) { h[it] / h.sum() }).setMarker(SeriesMarkers.NONE)
    }
    DISPLAY(png(chart))
    DISPLAY(htmlTable(listOf("density", "images", "breast pixels per image", "mean value", "share above 0.5"),
        shownClasses.map { c ->
            val h = histograms.getValue(c)
            val n = sample.count { it.getString(0) == c }
            listOf(c, n, (h.sum() / n).toLong(), (0 until bins).sumOf { h[it] * centres[it] } / h.sum(),
                (0 until bins).filter { centres[it] > 0.5 }.sumOf { h[it] } / h.sum())
        }, "breast pixels per class"))
}'''),
    ("md", r'''## A held-out test set

Models are compared and assessed on studies they never saw. The labelled patients are split once, per class of
their first study: 70 % for development (notebook 02 trains on them; the training job holds out its own validation
patients among them) and 30 % for testing (notebooks 03 and 04). A patient's studies stay on one side. Both parts
are written as label snapshots (`study_uid,label`) under `$RADLAB_HOME/notebooks/labels`: any RadLab job takes them
like the full snapshot. The split depends only on the pseudonymous patient ids, so a re-run gives the same one.'''),
    ("code", r'''import java.security.MessageDigest
import org.radlab.core.dataset.Csv

val testShare = 0.3
val splitFiles: Pair<Path, Path>? = labelsFile?.let { labels ->
    // Each labelled study with its patient and date; a patient's class is that of their first study.
    val studies = spark.sql("""
        SELECT l.study_uid, l.label, min(i.patient_id) AS patient, min(i.study_date) AS date
        FROM labels l JOIN images i ON l.study_uid = i.study_uid GROUP BY l.study_uid, l.label""").collectAsList()
    val firstClass = studies.groupBy { it.getString(2) }
        .mapValues { (_, s) -> s.minWith(compareBy<Row>({ it.getString(3) ?: "" }, { it.getString(0) })).getString(1) }
    fun hash(s: String) = MessageDigest.getInstance("SHA-256").digest(s.toByteArray())
        .joinToString("") { "%02x".format(it) }
    val testPatients = firstClass.entries.groupBy({ it.value }, { it.key }).values.flatMap { patients ->
        patients.sortedBy { hash(it) }.take(Math.round(patients.size * testShare).toInt())
    }.toSet()
    val dir = Files.createDirectories(notebookDir.resolve("labels"))
    val stem = labels.fileName.toString().removeSuffix(".csv")
    fun write(name: String, rows: List<Row>): Path {
        val file = dir.resolve("$stem-$name.csv")
        Files.writeString(file, "study_uid,label\n" + rows.sortedBy { it.getString(0) }
            .joinToString("") { Csv.quote(it.getString(0)) + "," + Csv.quote(it.getString(1)) + "\n" })
        return file
    }
    val (test, dev) = studies.partition { it.getString(2) in testPatients }
    DISPLAY(htmlTable(listOf("part", "patients", "studies") + classes,
        listOf("development" to dev, "test" to test).map { (name, rows) ->
            listOf(name, rows.map { it.getString(2) }.distinct().size, rows.size) +
                classes.map { c -> rows.count { it.getString(1) == c } } }, "labelled studies per part and class"))
    write("dev", dev) to write("test", test)
}

// What the next notebooks use.
json.writeValue(notebookDir.resolve("dataset.json").toFile(), mapOf("dataset" to datasetDir.toString(),
    "labels" to labelsFile?.toString(), "devLabels" to splitFiles?.first?.toString(),
    "testLabels" to splitFiles?.second?.toString(), "classes" to classes, "positive" to positive))
println("classes $classes, positive $positive; written to ${notebookDir.resolve("dataset.json")}")
spark.stop()
println("done: next, 02-train-model")'''),
]

# ---------------------------------------------------------------------------------------------------------------
# 02-train-model
# ---------------------------------------------------------------------------------------------------------------

NB02 = [
    ("md", r'''# 02 · Train two small models

Trains two small density classifiers with `TrainJob` in Spark local mode, on the development studies that
01-explore-dataset set aside, then plots their **learning curves** (training and validation loss, validation kappa
and AUC per epoch) and shows their **validation metrics**. Notebook 03 compares them on the held-out test studies.

The models are deliberately tiny (an eighth of the channels, 32 × 32 inputs, a few epochs), so that a CPU trains
each in well under a minute; the same configs at full size (`width` 1, `inputSize` 256, more epochs) are what you
would run on a cluster with `radlab train`. See `docs/training.md` for every field.

**Needs:** 01-explore-dataset run first (it writes `$RADLAB_HOME/notebooks/dataset.json`). Writes the models to
`$RADLAB_HOME/models/nb-*` and lists them in `$RADLAB_HOME/notebooks/models.json`. A model already trained with
the same config is reused; change a config, or delete the model folder, to train again.

**Run time:** about a minute on two cores.'''),
    ("code", HELPERS),
    ("code", WORKSPACE),
    ("code", READ_DATASET_CHOICE),
    ("code", spark_cell("radlab-notebook-02")),
    ("md", r'''## The configs

A `TrainConfig` holds the dataset, a label snapshot, the classes and the training settings; `with(json)` lays JSON
fields over it (the same fields as a config file for `radlab train --config`). The job splits the development
patients into training and validation itself (`validationFraction`, 20 %), keeps the weights of the epoch with the
best validation kappa, and writes `model.json` (the model card) and `weights.params` to `output`.'''),
    ("code", r'''import org.radlab.core.jobs.TrainConfig
import org.radlab.core.model.ModelCard
import org.radlab.train.TrainJob

// What both models share: tiny inputs, a few epochs, random flips and rotations, a fixed seed.
val common = """{"inputSize": 32, "maxEpochs": 5, "batchSize": 16, "learningRate": 0.002,
                 "augmentation": "flips_rotations", "monitor": "kappa", "seed": 7}"""
// The candidates: a residual network and a densely connected one, each at an eighth of the published width.
val candidates = linkedMapOf(
    "resnet18" to """{"architecture": "resnet18", "width": 0.125}""",
    "densenet121" to """{"architecture": "densenet121", "width": 0.125}""")
// Model folders named after the training data (a hash of the dataset folder and the development labels), so that
// another dataset or label set never reuses these models.
val tag = java.security.MessageDigest.getInstance("SHA-256")
    .digest((datasetDir.toString() + "\n" + Files.readString(devLabels)).toByteArray())
    .take(4).joinToString("") { String.format("%02x", it) }
val configs: Map<String, TrainConfig> = candidates.mapValues { (name, arch) ->
    TrainConfig.of(datasetDir.toString(), devLabels.toString(), classes).with(common).with(arch)
        .with("""{"jobId": "nb-$name-$tag"}""")
}
println(configs.values.first().toJson())'''),
    ("md", r'''## Training

`TrainJob.run(spark, config)` trains and returns the final model card. While it runs, its progress goes to the
kernel's standard error (the terminal that runs Jupyter) and, as JSON lines, to `$RADLAB_HOME/jobs/<jobId>/progress`:
follow it there with `tail -f`.'''),
    ("code", r'''/** Trains the model of [config], or returns its card when it was already trained with exactly this config. */
fun trainOrReuse(config: TrainConfig): ModelCard {
    val out = Path.of(config.output())
    val cardFile = out.resolve("model.json")
    if (Files.exists(cardFile)) {
        val old = ModelCard.read(cardFile)
        if (old.config() == config && old.status() in setOf("completed", "stopped_early")) {
            println("${config.jobId()}: already trained with this config; reusing it")
            return old
        }
        if (old.config() != config) {
            println("${config.jobId()}: the config changed; training afresh")
            out.toFile().deleteRecursively()
        }
    }
    val card = TrainJob.run(spark, config)
    check(card.status() in setOf("completed", "stopped_early")) {
        "training ${config.jobId()} ended ${card.status()}: ${card.message()}" }
    println("${config.jobId()}: ${card.status()} in ${fmt(card.elapsedSeconds(), 1)} s, best epoch ${card.bestEpoch()}")
    return card
}

val cards: Map<String, ModelCard> = configs.mapValues { (_, config) -> trainOrReuse(config) }
json.writeValue(notebookDir.resolve("models.json").toFile(),
    configs.map { (name, config) -> mapOf("name" to name, "path" to config.output()) })'''),
    ("md", r'''## Learning curves

One point per epoch, from the model card's `curves`. Solid lines: training loss and validation kappa (linear
weights); dashed: validation loss and AUC (macro, one class against the rest). The validation set is small, so the
curves are noisy.'''),
    ("code", r'''import org.knowm.xchart.XYChart
import org.knowm.xchart.XYChartBuilder
import org.knowm.xchart.style.lines.SeriesLines
import org.knowm.xchart.style.markers.SeriesMarkers

fun curveChart(title: String, yTitle: String): XYChart {
    val chart = XYChartBuilder().width(560).height(380).title(title).xAxisTitle("epoch").yAxisTitle(yTitle).build()
    chart.styler.setXAxisDecimalPattern("0").setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideS)
    return chart
}

val lossChart = curveChart("Loss", "cross-entropy")
val metricChart = curveChart("Validation kappa and AUC", "")
metricChart.styler.setYAxisMin(-0.2).setYAxisMax(1.0)
cards.entries.forEachIndexed { i, (name, card) ->
    val epochs = card.curves().map { it.epoch() }
    fun add(chart: XYChart, label: String, values: List<Double>, dashed: Boolean) {
        val s = chart.addSeries("$name $label", epochs, values)
        style(s, PALETTE[i], SeriesMarkers.CIRCLE, dashed = dashed)
    }
    add(lossChart, "training", card.curves().map { it.trainLoss() }, false)
    add(lossChart, "validation", card.curves().map { it.validationLoss() }, true)
    add(metricChart, "kappa", card.curves().map { it.kappa() }, false)
    add(metricChart, "AUC", card.curves().map { it.auc() }, true)
}
DISPLAY(png(sideBySide(listOf(BitmapEncoder.getBufferedImage(lossChart), BitmapEncoder.getBufferedImage(metricChart)))))
DISPLAY(htmlTable(listOf("model", "epoch", "training loss", "validation loss", "kappa", "AUC", "accuracy", "seconds",
    "images/s"), cards.flatMap { (name, card) -> card.curves().map { e ->
        listOf(name, e.epoch(), e.trainLoss(), e.validationLoss(), e.kappa(), e.auc(), e.accuracy(),
            fmt(e.seconds(), 1), fmt(e.imagesPerSecond(), 0)) } }, "curves"))'''),
    ("md", r'''## Validation metrics

The kept (best) epoch of each model on its validation studies, from `model.json`, with the confusion matrices
(rows: reference, columns: predicted).'''),
    ("code", r'''DISPLAY(htmlTable(listOf("model", "architecture", "width", "parameters", "training studies",
    "validation studies", "best epoch", "kappa (linear)", "AUC (macro)", "accuracy", "loss", "seconds"),
    cards.map { (name, c) ->
        val v = c.validation()
        listOf(name, c.architecture(), c.width(), c.parameterCount(), c.trainStudiesPerClass().sum(), v.studies(),
            c.bestEpoch(), v.kappaLinear(), v.auc(), v.accuracy(), v.loss(), fmt(c.elapsedSeconds(), 1))
    }, "validation (best epoch)"))
for ((name, c) in cards) {
    val m = c.validation().confusionMatrix()
    DISPLAY(htmlTable(listOf("$name: reference \\ predicted") + classes,
        classes.mapIndexed { r, cls -> listOf<Any?>(cls) + m[r].toList() }, "$name, validation confusion matrix"))
}
spark.stop()
println("done: next, 03-compare-models")'''),
]

# ---------------------------------------------------------------------------------------------------------------
# 03-compare-models
# ---------------------------------------------------------------------------------------------------------------

NB03 = [
    ("md", r'''# 03 · Compare the models

Evaluates the models of 02-train-model side by side with `EvaluateJob` on the **held-out test studies** that
01-explore-dataset set aside, and compares them:

* a table of linear-weighted kappa and macro AUC with their 95 % bootstrap intervals, sensitivity and specificity,
* the same as a chart (estimates with interval whiskers),
* the confusion matrices and the ROC curves of the binary view (C+D against A+B for density) overlaid,
* the studies on which the two models disagree, from the job's `predictions.parquet`.

**Needs:** 01-explore-dataset and 02-train-model run first. The evaluation is written to
`$RADLAB_HOME/evaluations/notebook-compare` and reused while the models and test labels are unchanged.

**Run time:** about 40 seconds on two cores.'''),
    ("code", HELPERS),
    ("code", WORKSPACE),
    ("code", READ_DATASET_CHOICE),
    ("code", READ_MODELS),
    ("code", spark_cell("radlab-notebook-03")),
    ("md", r'''## The evaluation

`EvaluateJob.run(spark, EvalConfig)` reads the dataset's tensors once and runs every model over each Spark task's
share of the images; a study's probabilities are the mean over its images. It writes `predictions.parquet` (per
image and per study), `<model>/metrics.json` with the charts `confusion-matrix.png` and `roc.png`, and
`comparison.json`. The intervals come from 1000 bootstrap resamples of the studies.'''),
    ("code", EVAL_IMPORTS + EVAL_REUSE + r'''

val evalDir: Path = home.resolve("evaluations").resolve("notebook-compare")
if (upToDate(evalDir, modelDirs)) {
    println("reusing the evaluation in $evalDir")
} else {
    val config = EvalConfig(datasetDir.toString(), testLabels.toString(), modelDirs.map { it.toString() }, positive,
        0.5, 1000, 1L, "notebook-compare", evalDir.toString())
    EvaluateJob.run(spark, config)
    json.writeValue(evalDir.resolve("notebook.json").toFile(), evaluationInputs(modelDirs))
}
// comparison.json: one row per model. Its "model" is the model's id (its folder name): show the notebook's names.
val comparison: List<JsonNode> = json.readTree(evalDir.resolve("comparison.json").toFile()).toList()
val nameOf: Map<String, String> = comparison.associate { row ->
    row.path("model").asText() to modelNames[modelDirs.indexOf(Path.of(row.path("path").asText()))] }
val metrics: Map<String, JsonNode> = comparison.associate { row ->
    nameOf.getValue(row.path("model").asText()) to json.readTree(evalDir.resolve(row.path("model").asText())
        .resolve("metrics.json").toFile()) }'''),
    ("md", r'''## Kappa and AUC with confidence intervals'''),
    ("code", r'''/** An estimate with its interval: "0.512 (0.301–0.700)". */
fun ci(node: JsonNode) = fmt(node.path("estimate").asDouble()) + " (" + fmt(node.path("lower").asDouble()) + "–" +
    fmt(node.path("upper").asDouble()) + ")"

DISPLAY(htmlTable(listOf("model", "test studies", "kappa, linear (95% CI)", "AUC, macro (95% CI)",
    "AUC, ${positive.joinToString("+")} vs rest", "sensitivity", "specificity", "accuracy"),
    comparison.map { r -> listOf(nameOf.getValue(r.path("model").asText()), r.path("studies").asInt(),
        ci(r.path("kappaCi")), ci(r.path("aucCi")), r.path("binaryAuc").asDouble(), r.path("sensitivity").asDouble(),
        r.path("specificity").asDouble(), r.path("accuracy").asDouble()) },
    "comparison on the held-out test studies (threshold 0.5 on P(${positive.joinToString("+")}))"))
DISPLAY(htmlTable(listOf("model") + classes.map { "AUC $it vs rest" } + listOf("kappa unweighted", "kappa quadratic"),
    metrics.map { (name, m) ->
        listOf<Any?>(name) + classes.map { m.path("aucPerClass").path(it).asDouble(Double.NaN) } +
            listOf("unweighted", "quadratic").map { m.path("kappa").path(it).asDouble(Double.NaN) } },
    "per class AUC and other kappa weightings"))'''),
    ("code", r'''// Estimates with their 95% interval as whiskers: one group per metric, one colour per model.
import org.knowm.xchart.AnnotationText
import org.knowm.xchart.XYChartBuilder

val metricNames = listOf("kappaCi" to "kappa (linear)", "aucCi" to "AUC (macro)")
val intervals = XYChartBuilder().width(720).height(420).title("Test-set kappa and AUC, 95% bootstrap intervals")
    .yAxisTitle("").build()
intervals.styler.setXAxisMin(0.4).setXAxisMax(metricNames.size + 0.6).setYAxisMin(-0.2).setYAxisMax(1.0)
intervals.styler.setXAxisTicksVisible(false).setPlotGridVerticalLinesVisible(false)
intervals.styler.setAnnotationTextFont(java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.PLAIN, 12))
metricNames.forEachIndexed { k, (_, label) -> intervals.addAnnotation(AnnotationText(label, k + 1.0, -0.12, false)) }
comparison.forEachIndexed { i, r ->
    val name = nameOf.getValue(r.path("model").asText())
    val offset = (i - (comparison.size - 1) / 2.0) * 0.15
    metricNames.forEachIndexed { k, (field, _) ->
        val x = k + 1 + offset
        val node = r.path(field)
        val whisker = intervals.addSeries("$name ${field}", doubleArrayOf(x, x),
            doubleArrayOf(node.path("lower").asDouble(), node.path("upper").asDouble()))
        style(whisker, PALETTE[i], legend = false)
    }
    val estimates = intervals.addSeries(name, metricNames.indices.map { it + 1 + offset },
        metricNames.map { r.path(it.first).path("estimate").asDouble() })
    metricNames.forEachIndexed { k, (field, _) ->
        val estimate = r.path(field).path("estimate").asDouble()
        intervals.addAnnotation(AnnotationText(fmt(estimate, 2), k + 1 + offset + 0.08, estimate, false))
    }
    style(estimates, PALETTE[i], SeriesMarkers.CIRCLE, scatter = true)
}
DISPLAY(png(intervals))'''),
    ("md", r'''## Confusion matrices and ROC curves

The confusion matrices are the PNG charts `EvaluateJob` wrote (rows: reference, columns: predicted). The ROC
curves are drawn here from each model's `metrics.json` (`binary.roc`): the binary view scores a study by its summed
probability of the positive classes.'''),
    ("code", r'''DISPLAY(png(sideBySide(comparison.map { r ->
    ImageIO.read(evalDir.resolve(r.path("model").asText()).resolve("confusion-matrix.png").toFile()) })))

val roc = XYChartBuilder().width(560).height(500)
    .title("ROC, ${positive.joinToString("+")} vs rest, test studies").xAxisTitle("1 - specificity")
    .yAxisTitle("sensitivity").build()
roc.styler.setXAxisMin(0.0).setXAxisMax(1.0).setYAxisMin(0.0).setYAxisMax(1.0)
roc.styler.setXAxisDecimalPattern("0.0").setYAxisDecimalPattern("0.0")
metrics.entries.forEachIndexed { i, (name, m) ->
    val points = m.path("binary").path("roc").toList()
    val s = roc.addSeries("$name (AUC ${fmt(m.path("binary").path("auc").asDouble())})",
        points.map { it.path("falsePositiveRate").asDouble() }, points.map { it.path("truePositiveRate").asDouble() })
    style(s, PALETTE[i])
    val b = m.path("binary")
    val op = roc.addSeries("$name at threshold ${b.path("threshold").asDouble()}",
        doubleArrayOf(1 - b.path("specificity").asDouble()), doubleArrayOf(b.path("sensitivity").asDouble()))
    style(op, PALETTE[i], SeriesMarkers.CIRCLE, scatter = true)
}
style(roc.addSeries("chance", doubleArrayOf(0.0, 1.0), doubleArrayOf(0.0, 1.0)), Color.GRAY, dashed = true)
DISPLAY(png(roc))'''),
    ("md", r'''## Where the models disagree

`predictions.parquet` has one row per model and image (`level=image`) and per model and study (`level=study`), with
the reference, the predicted class and one probability column `p_<class>` per class: plain Parquet, for Spark,
pandas or anything else.'''),
    ("code", r'''spark.read().parquet(evalDir.resolve("predictions.parquet").toString())
    .createOrReplaceTempView("predictions")
val ids = comparison.map { it.path("model").asText() }
val perStudy = spark.sql("""
    SELECT study_uid, first(reference) AS reference, """ + ids.mapIndexed { i, id ->
        "max(CASE WHEN model = '$id' THEN predicted END) AS m$i" }.joinToString(", ") + """
    FROM predictions WHERE level = 'study' GROUP BY study_uid""")
perStudy.createOrReplaceTempView("per_study")
val agreeing = spark.sql("SELECT count(*) FROM per_study WHERE " + ids.indices.joinToString(" AND ") { "m$it = m0" })
    .first().getLong(0)
println("the models agree on $agreeing of ${perStudy.count()} test studies")
DISPLAY(tableOf(spark.sql("SELECT reference, " + ids.indices.joinToString(", ") {
    "m$it AS `${nameOf.getValue(ids[it])}`" } + ", count(*) AS studies FROM per_study GROUP BY ALL ORDER BY ALL"),
    "predicted classes per reference class"))
spark.stop()
println("done: next, 04-assess-over-time")'''),
]

# ---------------------------------------------------------------------------------------------------------------
# 04-assess-over-time
# ---------------------------------------------------------------------------------------------------------------

NB04 = [
    ("md", r'''# 04 · Assess a deployed model over time

Suppose the better model of 02-train-model had been deployed: for every new study it recorded its class
probabilities, and radiologists read the study. `AssessJob` (`radlab assess`) compares the two over time. Here the
"new studies" are the held-out test studies with their study dates (StudyDate, kept by prep), and the reads are
their reference labels. The notebook

* builds the assessment's input, one row per study: `study,date,read,<one probability per class>`,
* runs `AssessJob` and shows the metrics at the threshold with their intervals, and a threshold sweep,
* plots the predicted probability over time, false positives and false negatives marked,
* and shows the drift table: per year, the studies, kappa, AUC, and the shares called positive and read positive.

**Needs:** 01-explore-dataset and 02-train-model run first (and the dataset prepared with `--dates keep` or
`shift`, as the synthetic one is). Uses 03-compare-models' predictions when they are up to date, else runs
`EvaluateJob` for the deployed model. Writes `$RADLAB_HOME/notebooks/assess-input-<model>.csv` and the
assessment to `$RADLAB_HOME/assessments/assess-input-<model>`.

**Run time:** about 40 seconds on two cores.'''),
    ("code", HELPERS),
    ("code", WORKSPACE),
    ("code", READ_DATASET_CHOICE),
    ("code", READ_MODELS),
    ("code", spark_cell("radlab-notebook-04")),
    ("md", r'''## The deployed model and its predictions'''),
    ("code", EVAL_IMPORTS + "import org.radlab.core.model.ModelCard\n" + EVAL_REUSE + r'''

// "Deployed": the model with the best validation kappa.
val cards = modelDirs.map { ModelCard.read(it.resolve("model.json")) }
val best = cards.indices.maxByOrNull { cards[it].validation().kappaLinear().takeIf { k -> !k.isNaN() } ?: -1.0 }!!
val deployedName = modelNames[best]
val deployedDir = modelDirs[best]
val deployedId = cards[best].id()
println("deployed: $deployedName (validation kappa ${fmt(cards[best].validation().kappaLinear())})")

val compareDir = home.resolve("evaluations").resolve("notebook-compare")
val predictionsDir: Path = if (upToDate(compareDir, modelDirs)) {
    println("using the predictions of 03-compare-models")
    compareDir
} else {
    val dir = home.resolve("evaluations").resolve("notebook-deployed")
    if (!upToDate(dir, listOf(deployedDir))) {
        EvaluateJob.run(spark, EvalConfig(datasetDir.toString(), testLabels.toString(), listOf(deployedDir.toString()),
            positive, 0.5, 0, 1L, "notebook-deployed", dir.toString()))
        json.writeValue(dir.resolve("notebook.json").toFile(), evaluationInputs(listOf(deployedDir)))
    }
    dir
}'''),
    ("md", r'''## The assessment's input

One row per study: the study's pseudonymous UID, its date from `images.parquet`, the read (the reference label),
and the model's probability per class (`p_<class>` in `predictions.parquet`, level `study`). The header names the
classes.'''),
    ("code", r'''spark.read().parquet(predictionsDir.resolve("predictions.parquet").toString())
    .createOrReplaceTempView("predictions")
spark.read().parquet(datasetDir.resolve("images.parquet").toString()).createOrReplaceTempView("images")
val rows = spark.sql("""
    SELECT p.study_uid, d.date, p.reference, """ + classes.joinToString(", ") { "p.`p_$it`" } + """
    FROM predictions p JOIN (SELECT study_uid, min(study_date) AS date FROM images GROUP BY study_uid) d
      ON p.study_uid = d.study_uid
    WHERE p.level = 'study' AND p.model = '$deployedId'
    ORDER BY d.date, p.study_uid""").collectAsList()
check(rows.isNotEmpty()) { "no study-level predictions of $deployedId in $predictionsDir" }
check(rows.all { it.getString(1) != null }) {
    "the dataset has no study dates (prepared with --dates remove): prepare it with --dates keep or shift" }

val inputCsv: Path = notebookDir.resolve("assess-input-$deployedName.csv")
Files.writeString(inputCsv, (listOf("study,date,read," + classes.joinToString(",")) + rows.map { r ->
    (0 until 3).joinToString(",") { r.getString(it) } + "," +
        classes.indices.joinToString(",") { String.format(Locale.ROOT, "%.6f", r.getDouble(3 + it)) }
}).joinToString("\n", postfix = "\n"))
println("${rows.size} studies from ${rows.first().getString(1)} to ${rows.last().getString(1)} in $inputCsv")
DISPLAY(htmlTable(listOf("study", "date", "read") + classes,
    rows.take(5).map { r -> listOf<Any?>(r.getString(0).take(24) + "…", r.getString(1), r.getString(2)) +
        classes.indices.map { r.getDouble(3 + it) } }, "the first rows"))'''),
    ("md", r'''## The assessment

`AssessJob.run(AssessConfig)` needs no Spark: the overall metrics with bootstrap intervals, a threshold sweep,
the timeline and the drift table, written to `assessment.json` with PNG and SVG charts. `period` is `week`,
`month`, `quarter` or `year`; with a few dozen studies over several years, `year` keeps each period's metrics
meaningful.'''),
    ("code", r'''import org.radlab.core.jobs.AssessConfig
import org.radlab.core.task.TaskType
import org.radlab.eval.AssessJob

val threshold = 0.5
val assessConfig = AssessConfig(inputCsv.toString(), positive, threshold, "year", 1000, 1L, null,
    TaskType.CLASSIFICATION)
val assessment = AssessJob.run(assessConfig)
println("assessment written to ${assessConfig.output()}")

val overall = assessment.overall()
val b = overall.binary()
fun ci(i: org.radlab.core.metrics.Bootstrap.Interval) = "${fmt(i.estimate())} (${fmt(i.lower())}–${fmt(i.upper())})"
DISPLAY(htmlTable(listOf("studies", "TP", "FP", "TN", "FN", "sensitivity", "specificity", "PPV", "NPV", "F1",
    "AUC (95% CI)", "kappa, all classes (95% CI)"),
    listOf(listOf(overall.cases(), b.truePositives(), b.falsePositives(), b.trueNegatives(), b.falseNegatives(),
        b.sensitivity(), b.specificity(), b.ppv(), b.npv(), b.f1(), ci(b.aucCi()), ci(overall.kappaLinearCi()))),
    "$deployedName at threshold $threshold on P(${positive.joinToString("+")})"))
DISPLAY(htmlTable(listOf("threshold", "sensitivity", "specificity", "PPV", "NPV", "F1", "kappa"),
    assessment.thresholdSweep().filterIndexed { i, _ -> i % 2 == 0 }.map { p ->
        listOf(fmt(p.threshold(), 2), p.sensitivity(), p.specificity(), p.ppv(), p.npv(), p.f1(), p.kappa()) },
    "threshold sweep"))'''),
    ("md", r'''## Predicted probability over time

Each study's score (the summed probability of the positive classes) at its date. Filled circles are right calls;
the crosses are the errors at the threshold: false positives (called positive, read negative) and false negatives.'''),
    ("code", r'''import java.time.LocalDate
import java.time.ZoneOffset
import org.knowm.xchart.XYChartBuilder
import org.knowm.xchart.XYSeries
import org.knowm.xchart.style.markers.SeriesMarkers

fun dateOf(iso: String): java.util.Date =
    java.util.Date.from(LocalDate.parse(iso).atStartOfDay(ZoneOffset.UTC).toInstant())

val timeline = assessment.timeline()
val overTime = XYChartBuilder().width(900).height(420)
    .title("$deployedName: P(${positive.joinToString("+")}) over time")
    .xAxisTitle("study date").yAxisTitle("predicted probability").build()
overTime.styler.setYAxisMin(0.0).setYAxisMax(1.0).setDatePattern("yyyy-MM").setMarkerSize(9)
val outcomes = listOf(
    Triple("TP", "true positive", Color(44, 160, 44)), Triple("TN", "true negative", Color(31, 119, 180)),
    Triple("FP", "false positive", Color(255, 127, 14)), Triple("FN", "false negative", Color(214, 39, 40)))
for ((code, label, colour) in outcomes) {
    val points = timeline.filter { it.outcome() == code }
    if (points.isEmpty()) continue
    val s = overTime.addSeries("$label (${points.size})", points.map { dateOf(it.date()) }, points.map { it.score() })
    style(s, colour, if (code == "FP" || code == "FN") SeriesMarkers.CROSS else SeriesMarkers.CIRCLE, scatter = true)
}
style(overTime.addSeries("threshold $threshold", listOf(dateOf(timeline.first().date()),
    dateOf(timeline.last().date())), listOf(threshold, threshold)), Color.GRAY, dashed = true)
DISPLAY(png(overTime))
val errors = timeline.filter { it.outcome() == "FP" || it.outcome() == "FN" }
DISPLAY(htmlTable(listOf("date", "study", "score", "outcome"),
    errors.map { listOf(it.date(), it.study().take(24) + "…", it.score(), it.outcome()) },
    "the ${errors.size} errors at threshold $threshold"))'''),
    ("md", r'''## Drift per period

Per year: how many studies, the linear kappa over all classes, the binary AUC (a dash when a period has only one
side), and the shares of studies the model called positive and the radiologists read positive. A model whose
called-positive share moves away from the read-positive share over time is drifting.'''),
    ("code", r'''import org.knowm.xchart.CategoryChartBuilder

val drift = assessment.drift()
DISPLAY(htmlTable(listOf(assessment.period(), "studies", "kappa (linear)", "AUC", "called positive", "read positive"),
    drift.map { listOf(it.period(), it.studies(), it.kappaLinear(), it.auc(), it.predictedPositiveRate(),
        it.referencePositiveRate()) }, "drift per ${assessment.period()}"))
val shares = CategoryChartBuilder().width(720).height(360)
    .title("Share of studies positive, per ${assessment.period()}")
    .xAxisTitle(assessment.period()).yAxisTitle("share").build()
shares.styler.setYAxisMin(0.0).setYAxisMax(1.0)
shares.addSeries("called positive by $deployedName", drift.map { it.period() },
    drift.map { it.predictedPositiveRate() })
shares.addSeries("read positive", drift.map { it.period() }, drift.map { it.referencePositiveRate() })
DISPLAY(png(shares))
println("charts written by the job: " + Files.list(Path.of(assessConfig.output())).use { files ->
    files.map { it.fileName.toString() }.filter { it.endsWith(".png") }.sorted().toList() })
spark.stop()
println("done")'''),
]


# ---------------------------------------------------------------------------------------------------------------
# 05-detect-lesions
# ---------------------------------------------------------------------------------------------------------------

NB05 = [
    ("md", r'''# 05 · Detect lesions

Trains a small **lesion detector** on synthetic mammograms with masses and calcification clusters, evaluates it
on held-out images, and draws what it finds next to the reference boxes:

* the data: `radlab synth --lesions` studies, prepared, their ground-truth boxes imported as a detection snapshot,
* the training curves: loss, and the validation mAP and AP50 per epoch,
* the held-out evaluation: mAP, AP50 and AP75 with 95 % bootstrap intervals, AP per class, the precision-recall and
  FROC charts the job draws,
* one held-out image with the reference boxes (green) and the detector's boxes (orange) over it.

The detector is deliberately tiny (a quarter-width ResNet-18 backbone, 128 × 128 inputs, a dozen epochs), so that
it trains in well under a minute and finds the masses better than the calcifications; `bench/detect` trains one
to AP50 0.89 in about six minutes at 256 × 256. See `docs/training.md` (Detection models).

**Needs:** nothing from the other notebooks: it makes its own data under `$RADLAB_HOME/notebooks/lesions` and
reuses it (and the model, while its config is unchanged) when run again.

**Run time:** about a minute and a half on two cores the first time.'''),
    ("code", HELPERS),
    ("code", WORKSPACE),
    ("code", spark_cell("radlab-notebook-05")),
    ("md", r'''## The data

`SynthCommand --lesions` adds lesions to the synthetic views and writes their ground truth, `boxes.csv`, keyed by
the original SOPInstanceUID in the original image's pixels. `BoxLabelImport.run` (`radlab labels import --task
detection`) maps each box onto the prepared image: the pseudonymous image id, mirrored like the image (right
breasts), scaled to the PNG. A training pool and a held-out set come from two seeds.'''),
    ("code", r'''import org.radlab.core.dataset.BoxTable
import org.radlab.core.jobs.PrepJobConfig
import org.radlab.prep.BoxLabelImport
import org.radlab.prep.PrepJob
import org.radlab.prep.synth.SynthCommand
import picocli.CommandLine

val LESIONS = listOf("mass", "calcification")
val lesionDir: Path = Files.createDirectories(notebookDir.resolve("lesions"))

/** Synthesizes, prepares and imports the boxes of [studies] studies, or reuses them; returns (dataset, snapshot). */
fun lesionSet(name: String, studies: Int, seed: Int): Pair<Path, Path> {
    val dicom = lesionDir.resolve("$name-dicom")
    if (!Files.exists(dicom.resolve("boxes.csv"))) {
        val rc = CommandLine(SynthCommand()).execute("--out", dicom.toString(), "--studies", "$studies", "--seed",
            "$seed", "--lesions")
        check(rc == 0) { "radlab synth failed (exit $rc)" }
    }
    val dataset = home.resolve("datasets").resolve("notebook-lesions-$name")
    if (!Files.exists(dataset.resolve("summary.json"))) {
        // PNGs of at most 256 px and 128 x 128 tensors: the detector's input
        PrepJob.run(spark, PrepJobConfig.of(dicom.toString(), dataset.toString()).withSizes(256, 128))
    }
    val report = BoxLabelImport.run(spark, BoxLabelImport.Request(dataset.toString(), null,
        dicom.resolve("boxes.csv"), "SOPInstanceUID", LESIONS, home.resolve("labels"), null))
    println("$name: " + BoxLabelImport.describe(report))
    return dataset to report.snapshot()
}

val (poolDir, poolBoxes) = lesionSet("pool", 32, 21)
val (heldDir, heldBoxes) = lesionSet("held-out", 10, 22)
val counts = listOf("pool" to poolBoxes, "held-out" to heldBoxes).map { (name, file) ->
    val t = BoxTable.readReference(file, BoxTable.IMAGE)
    listOf<Any?>(name, t.images().size, t.images().count { i -> t.boxes().none { it.image() == i } }) +
        LESIONS.map { c -> t.boxes().count { it.label() == c } }
}
DISPLAY(htmlTable(listOf("set", "images", "images without a lesion") + LESIONS.map { "$it boxes" }, counts,
    "the box snapshots"))'''),
    ("md", r'''## Training

A `TrainConfig` with `"task": "detection"` trains the detector with the same job as a classifier: the snapshot's
images split by patient, the boxes moved into the model input and along with the random flips, sigmoid focal loss
with the box and centre-ness terms, and after every epoch the validation images' boxes scored by mAP, which picks the
kept epoch.'''),
    ("code", r'''import org.radlab.core.jobs.TrainConfig
import org.radlab.core.model.ModelCard
import org.radlab.train.TrainJob

val detectorConfig: TrainConfig = TrainConfig.of(poolDir.toString(), poolBoxes.toString(), LESIONS).with(
    """{"task": "detection", "inputSize": 128, "width": 0.25, "maxEpochs": 12, "batchSize": 16,
        "learningRate": 0.002, "augmentation": "flips_rotations", "maxRotation": 0, "seed": 3,
        "jobId": "nb-detector"}""")
val detectorDir: Path = Path.of(detectorConfig.output())
val old: ModelCard? = if (Files.exists(detectorDir.resolve("model.json"))) ModelCard.read(detectorDir.resolve("model.json")) else null
val detector: ModelCard = if (old != null && old.config() == detectorConfig && old.status() == "completed") {
    println("nb-detector: already trained with this config; reusing it")
    old
} else {
    if (old != null) detectorDir.toFile().deleteRecursively() // another config: train afresh, not resume
    TrainJob.run(spark, detectorConfig)
}
println("${detector.status()}: best epoch ${detector.bestEpoch()} of ${detector.curves().size}, " +
    "${detector.trainImages()} training and ${detector.validationImages()} validation images")'''),
    ("code", r'''import org.knowm.xchart.XYChartBuilder

val epochs = detector.curves().map { it.epoch() }
val lossChart = XYChartBuilder().width(520).height(320).title("loss").xAxisTitle("epoch").yAxisTitle("loss").build()
style(lossChart.addSeries("training", epochs, detector.curves().map { it.trainLoss() }), PALETTE[0], SeriesMarkers.CIRCLE)
style(lossChart.addSeries("validation", epochs, detector.curves().map { it.validationLoss() }), PALETTE[1],
    SeriesMarkers.CIRCLE, dashed = true)
val scoreChart = XYChartBuilder().width(520).height(320).title("validation").xAxisTitle("epoch").yAxisTitle("score")
    .build()
scoreChart.styler.setYAxisMin(0.0).setYAxisMax(1.0)
style(scoreChart.addSeries("mAP", epochs, detector.curves().map { it.map() ?: Double.NaN }), PALETTE[2],
    SeriesMarkers.CIRCLE)
style(scoreChart.addSeries("AP50", epochs, detector.curves().map { it.ap50() ?: Double.NaN }), PALETTE[3],
    SeriesMarkers.CIRCLE, dashed = true)
DISPLAY(png(sideBySide(listOf(BitmapEncoder.getBufferedImage(lossChart), BitmapEncoder.getBufferedImage(scoreChart)))))
DISPLAY(htmlTable(listOf("epoch", "training loss", "validation loss", "mAP", "AP50", "seconds"),
    detector.curves().map { e -> listOf(e.epoch(), e.trainLoss(), e.validationLoss(), e.map(), e.ap50(),
        fmt(e.seconds(), 1)) }, "detector curves"))'''),
    ("md", r'''## Evaluation on the held-out images

`EvaluateJob.evaluate(spark, EvalConfig)` sees that the model is a detector: it runs it over every image the
held-out snapshot lists, moves its boxes back into the PNG's pixels and scores them against the reference boxes
(`<model>/metrics.json`, `predictions.csv`, and the charts `precision-recall.png` and `froc.png`). The intervals
come from 1000 bootstrap resamples of the images.'''),
    ("code", r'''import org.radlab.core.jobs.EvalConfig
import org.radlab.eval.EvaluateJob

val detectionEval: Path = home.resolve("evaluations").resolve("notebook-detect")
EvaluateJob.evaluate(spark, EvalConfig(heldDir.toString(), heldBoxes.toString(), listOf(detectorDir.toString()),
    null, null, 1000, 1L, "notebook-detect", detectionEval.toString()))
val modelId = json.readTree(detectionEval.resolve("comparison.json").toFile()).get(0).path("model").asText()
val report: JsonNode = json.readTree(detectionEval.resolve(modelId).resolve("metrics.json").toFile())
fun ci(node: JsonNode) = if (node.isMissingNode || node.isNull) "" else
    " (" + fmt(node.path("lower").asDouble()) + "–" + fmt(node.path("upper").asDouble()) + ")"
DISPLAY(htmlTable(listOf("images", "reference boxes", "mAP (95% CI)", "AP50 (95% CI)", "AP75", "FROC mean"),
    listOf(listOf(report.path("images").asInt(), report.path("references").asInt(),
        fmt(report.path("mAP").asDouble()) + ci(report.path("mAPCi")),
        fmt(report.path("AP50").asDouble()) + ci(report.path("AP50Ci")), report.path("AP75").asDouble(),
        report.path("froc").path("mean").asDouble())), "held-out detection"))
DISPLAY(htmlTable(listOf("class", "reference boxes", "AP", "AP50", "AP75"), LESIONS.map { c ->
    val p = report.path("perClass").path(c)
    listOf(c, p.path("references").asInt(), p.path("ap").asDouble(Double.NaN), p.path("ap50").asDouble(Double.NaN),
        p.path("ap75").asDouble(Double.NaN)) }, "per class"))
DISPLAY(png(sideBySide(listOf("precision-recall.png", "froc.png").map {
    ImageIO.read(detectionEval.resolve(modelId).resolve(it).toFile()) })))'''),
    ("md", r'''## What it finds

One held-out image with lesions: the reference boxes in green, the detector's boxes scoring at least 0.3 in orange
with their score (from the job's `predictions.csv`, in the PNG's pixels).'''),
    ("code", r'''import java.awt.BasicStroke
import java.awt.Font
import org.radlab.core.dataset.ImageList

val reference = BoxTable.readReference(heldBoxes, BoxTable.IMAGE)
val found = BoxTable.readPredictions(detectionEval.resolve(modelId).resolve("predictions.csv"), BoxTable.IMAGE)
// the image with the most reference boxes
val shownImage = reference.boxes().groupBy { it.image() }.maxByOrNull { it.value.size }!!.key
val entry = ImageList.read(heldDir.resolve(ImageList.FILE)).first { it.imageId() == shownImage }
val picture = ImageIO.read(heldDir.resolve(entry.pngPath()).toFile())
val scale = 2
val canvas = BufferedImage(picture.width * scale, picture.height * scale, BufferedImage.TYPE_INT_RGB)
val g = canvas.createGraphics()
g.drawImage(picture, 0, 0, canvas.width, canvas.height, null)
g.stroke = BasicStroke(2f)
g.font = Font(Font.SANS_SERIF, Font.BOLD, 12)
fun draw(b: BoxTable.Box, colour: Color, label: String) {
    g.color = colour
    val x = (b.xMin() * scale).toInt(); val y = (b.yMin() * scale).toInt()
    g.drawRect(x, y, ((b.xMax() - b.xMin()) * scale).toInt(), ((b.yMax() - b.yMin()) * scale).toInt())
    g.drawString(label, x, maxOf(12, y - 3))
}
reference.boxes().filter { it.image() == shownImage }.forEach { draw(it, Color(60, 200, 90), it.label()) }
val shownFound = found.boxes().filter { it.image() == shownImage && it.score() >= 0.3 }
shownFound.forEach { draw(it, Color(245, 158, 11), it.label() + " " + fmt(it.score(), 2)) }
g.dispose()
DISPLAY(png(canvas))
DISPLAY(htmlTable(listOf("box", "class", "score", "x min", "y min", "x max", "y max"),
    shownFound.mapIndexed { i, b -> listOf(i + 1, b.label(), b.score(), b.xMin(), b.yMin(), b.xMax(), b.yMax()) },
    "the detector's boxes on image ${shownImage.take(12)}… (score at least 0.3)"))
spark.stop()
println("done")'''),
]


# ---------------------------------------------------------------------------------------------------------------
# 06-segment-ct
# ---------------------------------------------------------------------------------------------------------------

NB06 = [
    ("md", r'''# 06 · Segment the liver on CT

Trains a small **U-Net** on synthetic CT series with a liver and a lesion whose volumes are known, evaluates it on
held-out series, and compares the volumes it measures with the reference:

* the data: `radlab synth --modality CT` series, prepared (keeping each slice's spacing and position), their masks
  imported as a segmentation snapshot,
* the training curves: loss, and the validation Dice and IoU per epoch,
* the held-out evaluation: Dice, IoU and HD95 per class with 95 % bootstrap intervals,
* the **Bland-Altman plot** of the predicted against the reference liver volumes, checked by hand, and each series'
  volume against the one synth drew,
* one held-out slice with the reference outline and the model's mask over it.

The U-Net is deliberately small (a quarter of the channels, 64 × 64 slices, a few epochs) so that it trains in about
a minute; `radlab demo --task segmentation` trains one at 96 × 96 to a validation Dice of 0.96. See
`docs/training.md` (Segmentation models) and `docs/evaluation.md` (Segmenters).

**Needs:** nothing from the other notebooks: it makes its own data under `$RADLAB_HOME/notebooks/ct` and reuses it
(and the model, while its config is unchanged) when run again.

**Run time:** about two minutes on two cores the first time.'''),
    ("code", HELPERS),
    ("code", WORKSPACE),
    ("code", spark_cell("radlab-notebook-06")),
    ("md", r'''## The data

`SynthCommand --modality CT` writes series of axial slices through an elliptical body holding an ellipsoidal liver
(class 1) with a spherical lesion (class 2), each slice's mask in `_masks/` keyed by its original SOPInstanceUID,
and `volumes.csv` with each shape's volume. Prep keeps each slice's pixel spacing, slice spacing and position, and
`MaskLabelImport.run` (`radlab labels import --task segmentation`) maps each mask onto its prepared slice. A
training pool and a held-out set come from two seeds.'''),
    ("code", r'''import org.radlab.core.dataset.MaskTable
import org.radlab.core.jobs.PrepJobConfig
import org.radlab.prep.MaskLabelImport
import org.radlab.prep.PrepJob
import org.radlab.prep.synth.SynthCommand
import picocli.CommandLine

val ORGANS = listOf("liver", "lesion")
val ctDir: Path = Files.createDirectories(notebookDir.resolve("ct"))

/** Synthesizes, prepares and imports the masks of [series] CT series, or reuses them; returns (dicom, dataset, snapshot). */
fun ctSet(name: String, series: Int, seed: Int): Triple<Path, Path, Path> {
    val dicom = ctDir.resolve("$name-dicom")
    if (!Files.exists(dicom.resolve("volumes.csv"))) {
        val rc = CommandLine(SynthCommand()).execute("--modality", "CT", "--out", dicom.toString(), "--studies",
            "$series", "--slices", "16", "--rows", "64", "--seed", "$seed")
        check(rc == 0) { "radlab synth failed (exit $rc)" }
    }
    val dataset = home.resolve("datasets").resolve("notebook-ct-$name")
    if (!Files.exists(dataset.resolve("summary.json"))) {
        // PNGs and tensors of 64 px: the slices as they are
        PrepJob.run(spark, PrepJobConfig.of(dicom.toString(), dataset.toString()).withSizes(64, 64))
    }
    val report = MaskLabelImport.run(spark, MaskLabelImport.Request(dataset.toString(), null,
        dicom.resolve("_masks"), ORGANS, home.resolve("labels"), null))
    println("$name: " + MaskLabelImport.describe(report))
    return Triple(dicom, dataset, report.snapshot())
}

val (poolDicom, poolDir, poolMasks) = ctSet("pool", 12, 31)
val (heldDicom, heldDir, heldMasks) = ctSet("held-out", 5, 32)
DISPLAY(htmlTable(listOf("set", "slices", "slices with liver", "liver pixels", "lesion pixels"),
    listOf("pool" to poolMasks, "held-out" to heldMasks).map { (name, file) ->
        val t = MaskTable.read(file)
        val pixels = IntArray(3)
        t.masks().values.forEach { m -> m.labels().forEach { pixels[it.toInt()]++ } }
        listOf(name, t.masks().size, t.masks().values.count { it.maxLabel() > 0 }, pixels[1], pixels[2])
    }, "the mask snapshots"))'''),
    ("md", r'''## Training

A `TrainConfig` with `"task": "segmentation"` trains the U-Net with the same job as a classifier: the snapshot's
slices split by patient, each mask moved into the model input and along with the random flips and rotations (by
nearest neighbour), soft Dice plus cross-entropy, and after every epoch the validation slices' Dice, which picks the
kept epoch.'''),
    ("code", r'''import org.radlab.core.jobs.TrainConfig
import org.radlab.core.model.ModelCard
import org.radlab.train.TrainJob

val unetConfig: TrainConfig = TrainConfig.of(poolDir.toString(), poolMasks.toString(), ORGANS).with(
    """{"task": "segmentation", "inputSize": 64, "width": 0.25, "maxEpochs": 8, "batchSize": 16,
        "learningRate": 0.003, "augmentation": "flips_rotations", "maxRotation": 10, "seed": 3,
        "jobId": "nb-unet"}""")
val unetDir: Path = Path.of(unetConfig.output())
val previous: ModelCard? = if (Files.exists(unetDir.resolve("model.json"))) ModelCard.read(unetDir.resolve("model.json")) else null
val unet: ModelCard = if (previous != null && previous.config() == unetConfig && previous.status() == "completed") {
    println("nb-unet: already trained with this config; reusing it")
    previous
} else {
    if (previous != null) unetDir.toFile().deleteRecursively() // another config: train afresh, not resume
    TrainJob.run(spark, unetConfig)
}
println("${unet.status()}: best epoch ${unet.bestEpoch()} of ${unet.curves().size}, " +
    "${unet.trainImages()} training and ${unet.validationImages()} validation slices")'''),
    ("code", r'''import org.knowm.xchart.XYChartBuilder

val epochs = unet.curves().map { it.epoch() }
val lossChart = XYChartBuilder().width(520).height(320).title("loss").xAxisTitle("epoch").yAxisTitle("loss").build()
style(lossChart.addSeries("training", epochs, unet.curves().map { it.trainLoss() }), PALETTE[0], SeriesMarkers.CIRCLE)
style(lossChart.addSeries("validation", epochs, unet.curves().map { it.validationLoss() }), PALETTE[1],
    SeriesMarkers.CIRCLE, dashed = true)
val scoreChart = XYChartBuilder().width(520).height(320).title("validation").xAxisTitle("epoch").yAxisTitle("score")
    .build()
scoreChart.styler.setYAxisMin(0.0).setYAxisMax(1.0)
style(scoreChart.addSeries("Dice", epochs, unet.curves().map { it.dice() ?: Double.NaN }), PALETTE[2],
    SeriesMarkers.CIRCLE)
style(scoreChart.addSeries("IoU", epochs, unet.curves().map { it.iou() ?: Double.NaN }), PALETTE[3],
    SeriesMarkers.CIRCLE, dashed = true)
DISPLAY(png(sideBySide(listOf(BitmapEncoder.getBufferedImage(lossChart), BitmapEncoder.getBufferedImage(scoreChart)))))
DISPLAY(htmlTable(listOf("epoch", "training loss", "validation loss", "Dice", "IoU", "seconds"),
    unet.curves().map { e -> listOf(e.epoch(), e.trainLoss(), e.validationLoss(), e.dice(), e.iou(),
        fmt(e.seconds(), 1)) }, "U-Net curves"))'''),
    ("md", r'''## Evaluation on the held-out series

`EvaluateJob.evaluate(spark, EvalConfig)` sees that the model is a segmenter: it segments every slice the held-out
snapshot lists, moves each mask back into the PNG's pixels, stacks each series' slices by position with their
spacing, and scores them against the reference masks (`<model>/metrics.json`, `predictions.csv`, a DICOM SEG per
series under `seg/`, and per class the volume scatter and Bland-Altman charts). The intervals come from 1000
bootstrap resamples of the series.'''),
    ("code", r'''import org.radlab.core.jobs.EvalConfig
import org.radlab.eval.EvaluateJob

val segmentationEval: Path = home.resolve("evaluations").resolve("notebook-segment")
EvaluateJob.evaluate(spark, EvalConfig(heldDir.toString(), heldMasks.toString(), listOf(unetDir.toString()),
    null, null, 1000, 1L, "notebook-segment", segmentationEval.toString()))
val segModel = json.readTree(segmentationEval.resolve("comparison.json").toFile()).get(0).path("model").asText()
val metrics: JsonNode = json.readTree(segmentationEval.resolve(segModel).resolve("metrics.json").toFile())
fun interval(node: JsonNode) = if (node.isMissingNode || node.isNull) "" else
    " (" + fmt(node.path("lower").asDouble()) + "–" + fmt(node.path("upper").asDouble()) + ")"
DISPLAY(htmlTable(listOf("class", "series with it", "Dice (95% CI)", "IoU (95% CI)", "HD95 mm"), ORGANS.map { c ->
    val p = metrics.path("perClass").path(c)
    listOf(c, p.path("seriesWithClass").asInt(), fmt(p.path("dice").asDouble()) + interval(p.path("diceCi")),
        fmt(p.path("iou").asDouble()) + interval(p.path("iouCi")), fmt(p.path("hd95").asDouble(), 2)) },
    "held-out segmentation"))'''),
    ("md", r'''## Volumes: Bland-Altman

Each held-out series' liver volume as the model measures it (its voxels times the voxel volume) against the
reference mask's. The Bland-Altman plot puts each series at the mean of the two volumes and their difference
(predicted − reference); the bias is the mean difference and the limits of agreement are the bias ± 1.96 standard
deviations. The evaluation job computes them; the cell below draws the plot from the job's pairs, checks the bias by
hand, and sets each series beside the volume of the ellipsoid synth drew (`volumes.csv`, `true_ml`).'''),
    ("code", r'''val liver = metrics.path("volumes").path("liver")
val agreement = liver.path("agreement")
val pairs = liver.path("pairs").map { Triple(it.path("caseId").asText(), it.path("predicted").asDouble(),
    it.path("reference").asDouble()) }
val differences = pairs.map { it.second - it.third }
val biasByHand = differences.average()
check(Math.abs(biasByHand - agreement.path("bias").asDouble()) < 1e-9) { "the bias is the mean difference" }
val means = pairs.map { (it.second + it.third) / 2 }
val ba = XYChartBuilder().width(620).height(400).title("Liver volume: Bland-Altman (held-out series)")
    .xAxisTitle("mean of predicted and reference (mL)").yAxisTitle("predicted − reference (mL)").build()
val points = ba.addSeries("series", means, differences)
points.xySeriesRenderStyle = org.knowm.xchart.XYSeries.XYSeriesRenderStyle.Scatter
points.markerColor = PALETTE[0]
val lo = means.minOrNull()!!
val hi = means.maxOrNull()!!
for ((label, y) in listOf("bias" to agreement.path("bias").asDouble(),
        "bias − 1.96 SD" to agreement.path("lower").asDouble(), "bias + 1.96 SD" to agreement.path("upper").asDouble())) {
    style(ba.addSeries("$label ${fmt(y, 2)}", listOf(lo, hi), listOf(y, y)), if (label == "bias") PALETTE[1] else PALETTE[3],
        dashed = label != "bias")
}
DISPLAY(png(ba))
// synth's own volumes per series: the reference mask's (mask_ml) and the shape's (true_ml); the series ids here are
// pseudonymous, so each is matched by its reference volume
val synthLiver = Files.readAllLines(heldDicom.resolve("volumes.csv")).drop(1).map { it.split(",") }
    .filter { it[1] == "liver" }
DISPLAY(htmlTable(listOf("series", "predicted mL", "reference mL", "drawn mL", "predicted − drawn mL"),
    pairs.map { p ->
        val row = synthLiver.minByOrNull { Math.abs(it[3].toDouble() - p.third) }!!
        listOf(row[0], p.second, p.third, row[2].toDouble(), p.second - row[2].toDouble()) },
    "liver volumes (bias ${fmt(agreement.path("bias").asDouble(), 2)} mL, limits of agreement " +
        "${fmt(agreement.path("lower").asDouble(), 2)} to ${fmt(agreement.path("upper").asDouble(), 2)} mL)"))'''),
    ("md", r'''## What it outlines

The held-out slice with the most liver: the model's mask in orange (liver) and red (lesion), the reference outline's
edge pixels marked in green (from the job's `predictions.csv` and the snapshot).'''),
    ("code", r'''import org.radlab.core.dataset.ImageList

val reference = MaskTable.read(heldMasks)
val predicted = MaskTable.read(segmentationEval.resolve(segModel).resolve("predictions.csv"))
val slice = reference.masks().maxByOrNull { e -> e.value.labels().count { it.toInt() == 1 } }!!.key
val entry = ImageList.read(heldDir.resolve(ImageList.FILE)).first { it.imageId() == slice }
val picture = ImageIO.read(heldDir.resolve(entry.pngPath()).toFile())
val scale = 6
val canvas = BufferedImage(picture.width * scale, picture.height * scale, BufferedImage.TYPE_INT_RGB)
val g = canvas.createGraphics()
g.drawImage(picture, 0, 0, canvas.width, canvas.height, null)
val ref = reference.masks()[slice]!!
val got = predicted.masks()[slice]!!
for (y in 0 until ref.height()) for (x in 0 until ref.width()) {
    val p = got.at(x, y)
    if (p > 0) {
        g.color = if (p == 1) Color(245, 158, 11, 110) else Color(220, 38, 38, 150)
        g.fillRect(x * scale, y * scale, scale, scale)
    }
    val r = ref.at(x, y)
    val edge = r > 0 && listOf(x - 1 to y, x + 1 to y, x to y - 1, x to y + 1).any { (u, v) ->
        u < 0 || v < 0 || u >= ref.width() || v >= ref.height() || ref.at(u, v) != r }
    if (edge) {
        g.color = Color(60, 200, 90)
        g.fillRect(x * scale + scale / 3, y * scale + scale / 3, scale / 3, scale / 3)
    }
}
g.dispose()
DISPLAY(png(canvas))
spark.stop()
println("done")'''),
]


def notebook(cells):
    nb = nbf.v4.new_notebook()
    for kind, text in cells:
        nb.cells.append(nbf.v4.new_markdown_cell(text) if kind == "md" else nbf.v4.new_code_cell(text))
    nb.metadata["kernelspec"] = {"name": "radlab", "display_name": "RadLab (Kotlin)", "language": "kotlin"}
    nb.metadata["language_info"] = {"name": "kotlin", "file_extension": ".kt", "mimetype": "text/x-kotlin"}
    return nb


NOTEBOOKS = {
    "01-explore-dataset.ipynb": NB01,
    "02-train-model.ipynb": NB02,
    "03-compare-models.ipynb": NB03,
    "04-assess-over-time.ipynb": NB04,
    "05-detect-lesions.ipynb": NB05,
    "06-segment-ct.ipynb": NB06,
}

if __name__ == "__main__":
    for name, cells in NOTEBOOKS.items():
        nb = notebook(cells)
        # Stable cell ids, so that regenerating an unchanged notebook changes nothing.
        for i, cell in enumerate(nb.cells):
            cell["id"] = f"nb{name[:2]}-{i:02d}"
        nbf.validate(nb)
        nbf.write(nb, HERE / name)
        print("wrote", HERE / name)
