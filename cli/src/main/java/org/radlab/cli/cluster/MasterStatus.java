package org.radlab.cli.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * What a Spark standalone master reports on its web UI's {@code /json/} endpoint.
 *
 * @param url the master URL, {@code spark://host:port}
 * @param status the master's own state, {@code ALIVE} when it is the leader
 * @param aliveWorkers workers in state ALIVE
 * @param cores cores of the alive workers
 * @param coresUsed cores given to executors
 * @param memoryMb memory of the alive workers, in MiB
 * @param memoryUsedMb memory given to executors, in MiB
 * @param workers every worker the master knows, alive or not
 * @param activeApps running applications
 * @param completedApps finished applications
 */
public record MasterStatus(String url, String status, int aliveWorkers, int cores, int coresUsed,
    long memoryMb, long memoryUsedMb, List<Worker> workers, List<App> activeApps,
    List<App> completedApps) {

  public MasterStatus {
    workers = List.copyOf(workers);
    activeApps = List.copyOf(activeApps);
    completedApps = List.copyOf(completedApps);
  }

  /** One worker as the master sees it. */
  public record Worker(String id, String host, int port, String webUiAddress, int cores,
      int coresUsed, long memoryMb, long memoryUsedMb, String state) {

    public boolean alive() {
      return "ALIVE".equals(state);
    }
  }

  /** One application (a driver's SparkContext) as the master sees it. */
  public record App(String id, String name, int cores, String state) {}

  /** Reads the master's {@code /json/} document. */
  public static MasterStatus fromJson(JsonNode json) {
    List<Worker> workers = new ArrayList<>();
    for (JsonNode w : json.path("workers")) {
      workers.add(new Worker(w.path("id").asText(), w.path("host").asText(),
          w.path("port").asInt(), w.path("webuiaddress").asText(), w.path("cores").asInt(),
          w.path("coresused").asInt(), w.path("memory").asLong(), w.path("memoryused").asLong(),
          w.path("state").asText()));
    }
    return new MasterStatus(json.path("url").asText(), json.path("status").asText(),
        json.path("aliveworkers").asInt(), json.path("cores").asInt(),
        json.path("coresused").asInt(), json.path("memory").asLong(),
        json.path("memoryused").asLong(), workers, apps(json.path("activeapps")),
        apps(json.path("completedapps")));
  }

  private static List<App> apps(JsonNode array) {
    List<App> apps = new ArrayList<>();
    for (JsonNode a : array) {
      apps.add(new App(a.path("id").asText(), a.path("name").asText(), a.path("cores").asInt(),
          a.path("state").asText()));
    }
    return apps;
  }
}
