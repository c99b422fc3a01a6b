package org.radlab.train;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.radlab.core.dataset.DatasetLayout;
import scala.Tuple2;

/**
 * The training tensors, read once from the dataset and kept in executor memory: one partition per replica, each a
 * class-stratified share of the training images, preprocessed to the model input (resized to {@code inputSize},
 * normalized by the dataset's tensor mean and standard deviation), with a detector's boxes or a segmenter's mask.
 */
final class TensorShards {
  /** One preprocessed image. A class, not a record: Kryo (cluster-config's serializer) cannot rebuild records. */
  static final class Sample implements Serializable {
    private static final long serialVersionUID = 1L;
    private final String imageId;
    private final int label;
    private final float[] pixels;
    /** A detector's boxes in input pixels, {@code x0, y0, x1, y1, class} after each other; null for a classifier. */
    private final double[] boxes;
    /** A segmenter's mask in input pixels, a class index per pixel; null for the other tasks. */
    private final byte[] mask;

    Sample(String imageId, int label, float[] pixels, double[] boxes, byte[] mask) {
      this.imageId = imageId;
      this.label = label;
      this.pixels = pixels;
      this.boxes = boxes;
      this.mask = mask;
    }

    String imageId() {
      return imageId;
    }

    int label() {
      return label;
    }

    float[] pixels() {
      return pixels;
    }

    double[] boxes() {
      return boxes;
    }

    byte[] mask() {
      return mask;
    }
  }

  private TensorShards() {}

  /** The examples' tensors in {@code shards} partitions, cached; the caller unpersists them. */
  static JavaRDD<Sample> load(SparkSession spark, String dataset, List<TrainingSet.Example> examples, int shards,
      org.radlab.core.model.Preprocessing pre) {
    List<TrainingSet.Example> sorted = new ArrayList<>(examples);
    sorted.sort(Comparator.comparingInt(TrainingSet.Example::label).thenComparing(TrainingSet.Example::imageId));
    List<Row> rows = new ArrayList<>(sorted.size());
    for (int i = 0; i < sorted.size(); i++) {
      TrainingSet.Example e = sorted.get(i);
      rows.add(RowFactory.create(e.imageId(), e.label(), i % shards, e.boxes(), e.mask()));
    }
    StructType schema = new StructType()
        .add("image_id", DataTypes.StringType)
        .add("label", DataTypes.IntegerType)
        .add("shard", DataTypes.IntegerType)
        .add("boxes", DataTypes.createArrayType(DataTypes.DoubleType, false), true)
        .add("mask", DataTypes.BinaryType, true);
    Dataset<Row> wanted = spark.createDataFrame(rows, schema);
    Dataset<Row> tensors = spark.read().parquet(tensorsPath(dataset)).select("image_id", "side", "data");
    JavaRDD<Sample> samples = tensors.join(wanted, "image_id").javaRDD()
        .mapToPair(r -> new Tuple2<>(r.<Integer>getAs("shard"), new Sample(r.getAs("image_id"),
            r.<Integer>getAs("label"), pre.apply(r.<byte[]>getAs("data"), r.<Integer>getAs("side")),
            boxes(r), r.isNullAt(r.fieldIndex("mask")) ? null : r.<byte[]>getAs("mask"))))
        .partitionBy(new HashPartitioner(shards))
        .values()
        .mapPartitions(it -> {
          List<Sample> list = new ArrayList<>();
          it.forEachRemaining(list::add);
          list.sort(Comparator.comparing(Sample::imageId)); // arrival order depends on the join; this does not
          return list.iterator();
        }, true)
        .persist(StorageLevel.MEMORY_ONLY());
    long loaded = samples.count();
    if (loaded != examples.size()) {
      samples.unpersist(false);
      throw new IllegalStateException((examples.size() - loaded) + " of " + examples.size()
          + " images have no tensor in " + tensorsPath(dataset) + "; was the dataset prepared completely?");
    }
    return samples;
  }

  /** The examples' preprocessed tensors on the driver, sorted by image id. */
  static List<Sample> collect(SparkSession spark, String dataset, List<TrainingSet.Example> examples,
      org.radlab.core.model.Preprocessing pre) {
    JavaRDD<Sample> rdd = load(spark, dataset, examples, 1, pre);
    try {
      List<Sample> out = new ArrayList<>(rdd.collect());
      out.sort(Comparator.comparing(Sample::imageId));
      return out;
    } finally {
      rdd.unpersist(false);
    }
  }

  private static double[] boxes(Row r) {
    int at = r.fieldIndex("boxes");
    if (r.isNullAt(at)) {
      return null;
    }
    scala.collection.Seq<Double> seq = r.getSeq(at);
    double[] out = new double[seq.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = seq.apply(i);
    }
    return out;
  }

  static String tensorsPath(String dataset) {
    return dataset.replaceAll("/+$", "") + "/" + DatasetLayout.TENSORS;
  }
}
