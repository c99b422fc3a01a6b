package org.radlab.prep;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.radlab.core.dataset.DatasetTensors;
import org.radlab.core.jobs.PrepJobConfig;
import org.radlab.core.parquet.ParquetFile;

/**
 * core's Spark-free reader of a dataset's tensors gives, for every image, exactly the bytes Spark reads from the
 * table prep wrote; and its Parquet reader decodes the encodings parquet-java can choose (v2 pages, dictionaries,
 * nulls, no compression) to the values written.
 */
class DatasetTensorsTest {
  @TempDir static Path tmp;

  @Test
  void everyImageTensorMatchesWhatSparkReads() throws Exception {
    Path input = TestTools.synth(tmp.resolve("in"), 3, 11);
    Path dataset = tmp.resolve("ds");
    PrepJob.run(TestTools.spark(), PrepJobConfig.of(input.toString(), dataset.toString()).withSizes(128, 64)
        .withSecretFile(tmp.resolve("secret").toString()));
    List<Row> rows = TestTools.spark().read().parquet(dataset.resolve("tensors").toString())
        .select("image_id", "side", "data").collectAsList();
    assertEquals(12, rows.size(), "3 studies of 4 views");
    for (Row r : rows) {
      DatasetTensors.Tensor t = DatasetTensors.find(dataset, r.getString(0)).orElseThrow();
      assertEquals(r.getInt(1), t.side());
      float[] expected = new float[t.side() * t.side()];
      ByteBuffer.wrap((byte[]) r.get(2)).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(expected);
      assertArrayEquals(expected, t.values(), "image " + r.getString(0));
    }
    assertTrue(DatasetTensors.find(dataset, "0000000000").isEmpty());

    // A task's unfinished file (a hidden name) is skipped, as Spark skips it: garbage there breaks nothing.
    Path run = Files.list(dataset.resolve("tensors")).filter(Files::isDirectory).findFirst().orElseThrow();
    Files.write(run.resolve("_tmp-0-part-00009.parquet"), "not parquet".getBytes(StandardCharsets.US_ASCII));
    assertTrue(DatasetTensors.find(dataset, rows.get(0).getString(0)).isPresent());
  }

  @Test
  void decodesDictionaryV2UncompressedAndNulls() throws Exception {
    MessageType type = MessageTypeParser.parseMessageType(
        "message t { optional binary name (STRING); required int32 n; optional int64 big; optional double x; }");
    List<Object[]> written = new ArrayList<>();
    String[] names = {"alpha", "beta", "gamma"};
    SimpleGroupFactory groups = new SimpleGroupFactory(type);
    for (CompressionCodecName codec : List.of(CompressionCodecName.UNCOMPRESSED, CompressionCodecName.SNAPPY)) {
      Path f = tmp.resolve(codec + ".parquet");
      written.clear();
      try (ParquetWriter<Group> w = ExampleParquetWriter.builder(new LocalOutputFile(f)).withType(type)
          .withConf(new Configuration()).withCompressionCodec(codec)
          .withDictionaryEncoding(true).withPageRowCountLimit(7).build()) {
        for (int i = 0; i < 50; i++) {
          Group g = groups.newGroup();
          String name = i % 5 == 3 ? null : names[i % 3];
          Long big = i % 4 == 0 ? null : 10_000_000_000L + i;
          Double x = i % 6 == 1 ? null : i / 8.0;
          if (name != null) {
            g.append("name", Binary.fromString(name));
          }
          g.append("n", i * 3 - 20);
          if (big != null) {
            g.append("big", big);
          }
          if (x != null) {
            g.append("x", x);
          }
          w.write(g);
          written.add(new Object[] {name, i * 3 - 20, big, x});
        }
      }
      ParquetFile p = ParquetFile.open(f);
      assertEquals(List.of("name", "n", "big", "x"), p.columnNames());
      List<Object[]> read = new ArrayList<>();
      for (int g = 0; g < p.rowGroups(); g++) {
        List<Object> name = p.column(g, "name");
        List<Object> n = p.column(g, "n");
        List<Object> big = p.column(g, "big");
        List<Object> x = p.column(g, "x");
        for (int i = 0; i < p.rows(g); i++) {
          read.add(new Object[] {name.get(i) == null ? null : new String((byte[]) name.get(i), StandardCharsets.UTF_8),
              n.get(i), big.get(i), x.get(i)});
        }
      }
      assertEquals(written.size(), read.size(), codec.toString());
      for (int i = 0; i < written.size(); i++) {
        assertEquals(Arrays.asList(written.get(i)), Arrays.asList(read.get(i)), codec + " row " + i);
      }
    }
  }

  @Test
  void v2PagesAreReadAndUnsupportedEncodingsNamed() throws Exception {
    MessageType type = MessageTypeParser.parseMessageType(
        "message t { optional binary name (STRING); optional double x; required int32 n; }");
    Path f = tmp.resolve("v2.parquet");
    SimpleGroupFactory groups = new SimpleGroupFactory(type);
    try (ParquetWriter<Group> w = ExampleParquetWriter.builder(new LocalOutputFile(f)).withType(type)
        .withConf(new Configuration()).withCompressionCodec(CompressionCodecName.SNAPPY)
        .withWriterVersion(ParquetProperties.WriterVersion.PARQUET_2_0).withPageRowCountLimit(5).build()) {
      for (int i = 0; i < 23; i++) {
        Group g = groups.newGroup();
        if (i % 4 != 2) {
          g.append("name", Binary.fromString(i % 2 == 0 ? "even" : "odd"));
        }
        if (i % 3 != 0) {
          g.append("x", i * 0.25);
        }
        g.append("n", i);
        w.write(g);
      }
    }
    ParquetFile p = ParquetFile.open(f);
    List<Object> names = new ArrayList<>();
    List<Object> xs = new ArrayList<>();
    for (int g = 0; g < p.rowGroups(); g++) {
      p.column(g, "name").forEach(v -> names.add(v == null ? null : new String((byte[]) v, StandardCharsets.UTF_8)));
      xs.addAll(p.column(g, "x"));
    }
    for (int i = 0; i < 23; i++) {
      assertEquals(i % 4 == 2 ? null : i % 2 == 0 ? "even" : "odd", names.get(i), "name " + i);
      assertEquals(i % 3 == 0 ? null : i * 0.25, xs.get(i), "x " + i);
    }
    // v2 writes integers delta-encoded, which this reader does not decode: it says so rather than guessing.
    java.io.IOException e = assertThrows(java.io.IOException.class, () -> p.column(0, "n"));
    assertTrue(e.getMessage().contains("encoding 5"), e.getMessage());
  }
}
