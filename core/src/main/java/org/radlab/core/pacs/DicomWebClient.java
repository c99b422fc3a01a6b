package org.radlab.core.pacs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.james.mime4j.MimeException;
import org.apache.james.mime4j.stream.EntityState;
import org.apache.james.mime4j.stream.MimeConfig;
import org.apache.james.mime4j.stream.MimeTokenStream;

/**
 * A DICOMweb client for one {@link PacsSource}: QIDO-RS to find studies, WADO-RS to retrieve a study's instances as
 * the PACS stores them ({@code transfer-syntax=*}), streamed part by part to files. Errors name the source and what
 * went wrong (unreachable, credentials refused, an unexpected answer), never the password.
 */
public final class DicomWebClient implements PacsClient {
  /** A DICOM UID: digits in dot-separated components, at most 64 characters (PS3.5 9.1). */
  static final Pattern UID = Pattern.compile("(0|[1-9][0-9]*)(\\.(0|[1-9][0-9]*))*");
  /** The most a connection test's answer may hold. */
  static final int PROBE_MAX_ANSWER = 1 << 20;
  /** QIDO-RS results asked for at a time. */
  static final int PAGE = 1000;
  /** The most a QIDO-RS answer may hold: far more than a page of studies needs, far less than memory. */
  static final int MAX_ANSWER = 64 << 20;
  private static final String ACCEPT_DICOM = "multipart/related; type=\"application/dicom\"; transfer-syntax=*";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final PacsSource source;
  private final HttpClient http;

  public DicomWebClient(PacsSource source) {
    this(source, Duration.ofSeconds(20));
  }

  /** A client that gives up connecting after {@code connectTimeout}. */
  public DicomWebClient(PacsSource source, Duration connectTimeout) {
    if (source.isDimse()) {
      throw new IllegalArgumentException(source + " is a DIMSE node; this needs a DICOMweb source (one with a"
          + " \"url\", docs/pacs.md)");
    }
    this.source = source;
    this.http = HttpClient.newBuilder().connectTimeout(connectTimeout)
        .followRedirects(HttpClient.Redirect.NEVER).build();
  }

  /** Every study matching {@code query}, page by page. */
  @Override
  public List<StudyMatch> studies(StudyQuery query) throws IOException {
    List<StudyMatch> out = new ArrayList<>();
    String keys = query.queryString();
    paged("/studies?" + (keys.isEmpty() ? "" : keys + "&") + "includefield=00201208", "studies",
        study -> String.valueOf(first(study, "0020000D")), study -> {
          String count = first(study, "00201208");
          out.add(new StudyMatch(first(study, "0020000D"), count == null || !count.matches("\\d{1,9}") ? -1
              : Integer.parseInt(count)));
        });
    return out;
  }

  /**
   * Every answer of a QIDO-RS query ({@code path}, with its keys), asked for {@value #PAGE} at a time: each answer
   * whose {@code key} was not seen before (and is not null) goes to {@code each}. A PACS that answers a page with
   * only earlier answers does not page with offset: the list cannot be completed, and that is an error rather than a
   * loop.
   */
  private void paged(String path, String what, java.util.function.Function<JsonNode, String> key,
      java.util.function.Consumer<JsonNode> each) throws IOException {
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (int offset = 0;; offset += PAGE) {
      String pagePath = path + "&limit=" + PAGE + "&offset=" + offset;
      JsonNode page = studiesAnswer(pagePath);
      int fresh = 0;
      for (JsonNode answer : page) {
        String k = key.apply(answer);
        if (k != null && seen.add(k)) {
          fresh++;
          each.accept(answer);
        }
      }
      if (page.size() < PAGE) {
        return;
      }
      if (fresh == 0) {
        throw new IOException(source + " answered QIDO-RS " + pagePath + " with the " + what + " of an earlier page:"
            + " it does not page with offset, so the list cannot be completed");
      }
    }
  }

  /**
   * The named attributes (DICOM keywords) of one study as the PACS holds them (keyword to value; a person name as
   * its alphabetic form; an attribute the PACS leaves out is absent), or null when the PACS does not have the study.
   */
  @Override
  public Map<String, String> studyAttributes(String studyUid, List<String> keywords) throws IOException {
    if (!isUid(studyUid)) {
      throw new IllegalArgumentException("not a DICOM UID: '" + studyUid + "'");
    }
    Map<String, String> tags = jsonTags(keywords);
    String path = "/studies?StudyInstanceUID=" + studyUid + "&includefield=" + String.join(",", tags.values());
    for (JsonNode study : studiesAnswer(path)) {
      if (!studyUid.equals(first(study, "0020000D"))) {
        continue;
      }
      Map<String, String> out = new LinkedHashMap<>();
      for (Map.Entry<String, String> e : tags.entrySet()) {
        JsonNode v = study.path(e.getValue()).path("Value");
        if (v.isArray() && !v.isEmpty()) {
          JsonNode value = v.get(0);
          out.put(e.getKey(), value.isObject() ? value.path("Alphabetic").asText("") : value.asText(""));
        }
      }
      return out;
    }
    return null;
  }

  /**
   * The named attributes (DICOM keywords) of every instance of one series as the PACS holds them (QIDO-RS at the
   * instance level, page by page): per instance, keyword to its values as text (a person name as its alphabetic
   * form; an attribute the PACS leaves out is absent), with SOPInstanceUID always among them; an empty list when the
   * PACS has no such series.
   */
  public List<Map<String, List<String>>> instances(String studyUid, String seriesUid, List<String> keywords)
      throws IOException {
    if (!isUid(studyUid) || !isUid(seriesUid)) {
      throw new IllegalArgumentException("not a DICOM UID: '" + (isUid(studyUid) ? seriesUid : studyUid) + "'");
    }
    Map<String, String> tags = jsonTags(keywords);
    tags.put("SOPInstanceUID", "00080018");
    List<Map<String, List<String>>> out = new ArrayList<>();
    paged("/studies/" + studyUid + "/series/" + seriesUid + "/instances?includefield="
        + String.join(",", tags.values()), "instances", instance -> first(instance, "00080018"), instance -> {
          Map<String, List<String>> values = new LinkedHashMap<>();
          for (Map.Entry<String, String> e : tags.entrySet()) {
            JsonNode v = instance.path(e.getValue()).path("Value");
            if (v.isArray() && !v.isEmpty()) {
              List<String> texts = new ArrayList<>();
              for (JsonNode value : v) {
                texts.add(value.isObject() ? value.path("Alphabetic").asText("") : value.asText(""));
              }
              values.put(e.getKey(), List.copyOf(texts));
            }
          }
          out.add(values);
        });
    return out;
  }

  /**
   * Stores DICOM objects on the PACS with STOW-RS (one request, one part per object); throws, naming the objects,
   * when the PACS reports any as failed.
   */
  @Override
  public void store(List<byte[]> objects) throws IOException {
    String boundary = "radlab-" + java.util.UUID.randomUUID();
    java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
    for (byte[] object : objects) {
      body.writeBytes(("--" + boundary + "\r\nContent-Type: application/dicom\r\nContent-Length: " + object.length
          + "\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      body.writeBytes(object);
      body.writeBytes("\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }
    body.writeBytes(("--" + boundary + "--\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    HttpResponse<byte[]> r = send(request("/studies")
        .header("Content-Type", "multipart/related; type=\"application/dicom\"; boundary=" + boundary)
        .header("Accept", "application/dicom+json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build(),
        HttpResponse.BodyHandlers.ofByteArray(), "STOW-RS /studies");
    if (r.body().length > 0) {
      JsonNode answer = JSON.readTree(r.body());
      JsonNode failed = answer.path("00081198").path("Value");
      if (failed.isArray() && !failed.isEmpty()) {
        List<String> which = new ArrayList<>();
        for (JsonNode f : failed) {
          which.add(first(f, "00081155") + " (failure reason " + first(f, "00081197") + ")");
        }
        throw new IOException(source + " did not store " + which);
      }
    }
  }

  /** What a connection test saw: how many studies its query answered, and how long it took. */
  public record Probe(int studies, long millis) {}

  /**
   * A connection test: one small QIDO-RS query ({@code /studies?limit=LIMIT}), all of it (connecting, the answer and
   * its body, at most {@link #PROBE_MAX_ANSWER} bytes) within {@code timeout}. Throws a {@link PacsException} that
   * says what kind of failure it was.
   */
  public Probe probe(int limit, Duration timeout) throws IOException {
    long start = System.nanoTime();
    String path = "/studies?limit=" + limit;
    HttpResponse<InputStream> r = send(request(path, timeout).header("Accept", "application/dicom+json").GET()
        .build(), HttpResponse.BodyHandlers.ofInputStream(), "QIDO-RS " + path);
    long left = timeout.toMillis() - (System.nanoTime() - start) / 1_000_000;
    // a PACS that sends its headers in time and then trickles the body is cut off at the deadline
    java.util.concurrent.CompletableFuture<Void> deadline = java.util.concurrent.CompletableFuture.runAsync(
        () -> closeQuietly(r.body()), java.util.concurrent.CompletableFuture.delayedExecutor(Math.max(1, left),
            java.util.concurrent.TimeUnit.MILLISECONDS));
    try {
      JsonNode studies = studiesAnswer(r, path, PROBE_MAX_ANSWER);
      return new Probe(studies.size(), (System.nanoTime() - start) / 1_000_000);
    } catch (IOException e) {
      if (deadline.isDone()) {
        throw new PacsException(PacsException.Kind.TIMEOUT, source + " did not send all of its answer to QIDO-RS "
            + path + " in " + timeout.toSeconds() + " s");
      }
      throw e;
    } finally {
      deadline.cancel(false);
    }
  }

  private static void closeQuietly(InputStream in) {
    try {
      in.close();
    } catch (IOException ignored) {
      // it is being abandoned either way
    }
  }

  /** A QIDO-RS query's answer as its list of studies (see {@link #studiesAnswer(HttpResponse, String, int)}). */
  private JsonNode studiesAnswer(String path) throws IOException {
    HttpResponse<InputStream> r = send(request(path).header("Accept", "application/dicom+json").GET().build(),
        HttpResponse.BodyHandlers.ofInputStream(), "QIDO-RS " + path);
    return studiesAnswer(r, path, MAX_ANSWER);
  }

  /**
   * A QIDO-RS answer as its list of studies (empty for 204 No Content or an empty body); refused beyond {@code max}
   * bytes, or when it is not a DICOM JSON list.
   */
  private JsonNode studiesAnswer(HttpResponse<InputStream> r, String path, int max) throws IOException {
    byte[] body;
    try (InputStream in = r.body()) {
      body = in.readNBytes(max + 1);
    }
    if (body.length > max) {
      throw new PacsException(PacsException.Kind.NOT_DICOMWEB, source + " answered QIDO-RS " + path
          + " with more than " + (max >= 1 << 20 ? (max >> 20) + " MB" : max + " bytes"));
    }
    if (r.statusCode() == 204 || body.length == 0) {
      return JSON.createArrayNode();
    }
    JsonNode page;
    try {
      page = JSON.readTree(body);
    } catch (IOException e) {
      throw new PacsException(PacsException.Kind.NOT_DICOMWEB, source + " answered QIDO-RS " + path
          + " with something other than DICOM JSON: " + e.getMessage());
    }
    if (!page.isArray()) {
      throw new PacsException(PacsException.Kind.NOT_DICOMWEB, source + " answered QIDO-RS " + path
          + " with JSON that is not a list of studies");
    }
    return page;
  }

  /** Each keyword's tag as DICOM JSON names it (GGGGEEEE), in the keywords' order; an unknown keyword is refused. */
  private static Map<String, String> jsonTags(List<String> keywords) {
    Map<String, String> tags = new LinkedHashMap<>();
    for (String keyword : keywords) {
      com.pixelmed.dicom.AttributeTag tag = com.pixelmed.dicom.DicomDictionary.StandardDictionary
          .getTagFromName(keyword);
      if (tag == null) {
        throw new IllegalArgumentException("not a DICOM keyword: '" + keyword + "'");
      }
      tags.put(keyword, String.format("%04X%04X", tag.getGroup(), tag.getElement()));
    }
    return tags;
  }

  private static String first(JsonNode dataset, String tag) {
    JsonNode v = dataset.path(tag).path("Value");
    return v.isArray() && !v.isEmpty() && !v.get(0).isNull() ? v.get(0).asText() : null;
  }

  /** Whether {@code uid} is a DICOM UID, so it can name a folder or file without meaning anything else. */
  public static boolean isUid(String uid) {
    return uid != null && uid.length() <= 64 && UID.matcher(uid).matches();
  }

  /**
   * Retrieves study {@code studyUid} with WADO-RS and hands each instance's bytes to {@code sink} as a stream, in
   * the order the PACS sends them; returns how many parts came.
   */
  public int retrieve(String studyUid, PartSink sink) throws IOException {
    if (!isUid(studyUid)) {
      throw new IllegalArgumentException("not a DICOM UID: '" + studyUid + "'");
    }
    return retrievePath("/studies/" + studyUid, "study " + studyUid, sink);
  }

  private int retrievePath(String path, String what, PartSink sink) throws IOException {
    HttpResponse<InputStream> r = send(request(path).header("Accept", ACCEPT_DICOM).GET().build(),
        HttpResponse.BodyHandlers.ofInputStream(), "WADO-RS " + path);
    String type = r.headers().firstValue("Content-Type").orElse("");
    try (InputStream body = r.body()) {
      if (!type.toLowerCase(java.util.Locale.ROOT).startsWith("multipart/related")) {
        throw new IOException(source + " answered WADO-RS " + path + " with Content-Type '" + type
            + "', not multipart/related");
      }
      MimeTokenStream parts = new MimeTokenStream(MimeConfig.custom().setMaxLineLen(-1).setMaxHeaderLen(-1)
          .setMaxHeaderCount(-1).setMaxContentLen(-1).build());
      parts.parseHeadless(body, type);
      int n = 0;
      for (EntityState s = parts.getState(); s != EntityState.T_END_OF_STREAM; s = parts.next()) {
        if (s == EntityState.T_BODY) {
          String partType = parts.getBodyDescriptor().getMimeType();
          if (!"application/dicom".equalsIgnoreCase(partType)) {
            throw new IOException(source + ": part " + (n + 1) + " of " + what + " is " + partType
                + ", not application/dicom");
          }
          try (InputStream in = parts.getDecodedInputStream()) {
            sink.accept(n++, in);
          }
        }
      }
      return n;
    } catch (MimeException e) {
      throw new IOException(source + ": the answer to WADO-RS " + path + " is not a readable multipart body: "
          + e.getMessage());
    }
  }

  /** A series of a study: its UID and the Manufacturer the PACS gives for it (null when it gives none). */
  public record SeriesMatch(String seriesUid, String manufacturer) {}

  /** The series of study {@code studyUid} whose Modality is {@code modality} (QIDO-RS). */
  public List<SeriesMatch> series(String studyUid, String modality) throws IOException {
    if (!isUid(studyUid) || !modality.matches("[A-Z0-9 _]{1,16}")) {
      throw new IllegalArgumentException("not a DICOM UID and modality: '" + studyUid + "', '" + modality + "'");
    }
    List<SeriesMatch> out = new ArrayList<>();
    for (JsonNode series : studiesAnswer("/studies/" + studyUid + "/series?Modality=" + modality
        + "&includefield=00080070")) {
      String uid = first(series, "0020000E");
      if (isUid(uid)) {
        out.add(new SeriesMatch(uid, first(series, "00080070")));
      }
    }
    return out;
  }

  /** Streams each instance of one series to a new file in {@code dir}; returns the files in order. */
  public List<Path> retrieveSeriesTo(String studyUid, String seriesUid, Path dir) throws IOException {
    if (!isUid(studyUid) || !isUid(seriesUid)) {
      throw new IllegalArgumentException("not DICOM UIDs: '" + studyUid + "', '" + seriesUid + "'");
    }
    List<Path> files = new ArrayList<>();
    Files.createDirectories(dir);
    retrievePath("/studies/" + studyUid + "/series/" + seriesUid, "series " + seriesUid, (i, in) -> {
      Path f = dir.resolve(String.format(".series-%06d.tmp", i));
      Files.copy(in, f, StandardCopyOption.REPLACE_EXISTING);
      files.add(f);
    });
    return files;
  }

  /** Receives one retrieved instance. */
  public interface PartSink {
    void accept(int index, InputStream dicom) throws IOException;
  }

  /** Streams each part of study {@code studyUid} to a new file in {@code dir}; returns the files in order. */
  @Override
  public List<Path> retrieveTo(String studyUid, Path dir) throws IOException {
    List<Path> files = new ArrayList<>();
    Files.createDirectories(dir);
    retrieve(studyUid, (i, in) -> {
      Path f = dir.resolve(String.format(".part-%06d.tmp", i));
      Files.copy(in, f, StandardCopyOption.REPLACE_EXISTING);
      files.add(f);
    });
    return files;
  }

  private HttpRequest.Builder request(String path) {
    return request(path, Duration.ofMinutes(10));
  }

  private HttpRequest.Builder request(String path, Duration timeout) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(source.url() + path)).timeout(timeout);
    String auth = source.authorization();
    return auth == null ? b : b.header("Authorization", auth);
  }

  private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> body, String what)
      throws IOException {
    HttpResponse<T> r;
    try {
      try {
        r = http.send(request, body);
      } catch (ConnectException | HttpTimeoutException e) {
        throw e;
      } catch (IOException e) {
        // A kept-alive connection the server closed as the request went out (a server's idle timeout): the request
        // never reached it, so it is sent once more on a new connection.
        r = http.send(request, body);
      }
    } catch (ConnectException e) {
      throw new PacsException(PacsException.Kind.UNREACHABLE, "cannot reach " + source
          + ": connection refused or no route (" + what + ")");
    } catch (java.net.http.HttpConnectTimeoutException e) {
      throw new PacsException(PacsException.Kind.TIMEOUT, "cannot reach " + source + ": no connection in time ("
          + what + ")");
    } catch (HttpTimeoutException e) {
      throw new PacsException(PacsException.Kind.TIMEOUT, source + " did not answer " + what + " in time: "
          + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for " + source);
    } catch (IOException e) {
      throw new PacsException(PacsException.Kind.UNREACHABLE, "cannot talk to " + source + " (" + what + "): " + e);
    }
    int status = r.statusCode();
    if (status == 401 || status == 403) {
      drain(r);
      throw new PacsException(PacsException.Kind.CREDENTIALS_REFUSED, status, source + " refused "
          + (source.user() == null ? "a request without credentials" : "the credentials of user '" + source.user()
          + "'") + " (HTTP " + status + " to " + what + ")");
    }
    if (status / 100 != 2) {
      drain(r);
      throw new PacsException(PacsException.Kind.HTTP_STATUS, status, source + " answered HTTP " + status + " to "
          + what);
    }
    return r;
  }

  private static void drain(HttpResponse<?> r) {
    if (r.body() instanceof InputStream in) {
      try (in) {
        in.readNBytes(1 << 16);
      } catch (IOException ignored) {
        // the connection closes either way
      }
    }
  }
}
