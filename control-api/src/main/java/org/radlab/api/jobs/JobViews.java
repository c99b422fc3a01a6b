package org.radlab.api.jobs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Optional;
import org.radlab.api.db.Database;
import org.radlab.api.db.JobDao;
import org.radlab.api.db.JobDao.Job;
import org.radlab.api.http.Caller;
import org.radlab.api.http.Json;
import org.radlab.api.http.ServerPaths;

/** Jobs as the API shows them: a participant sees no server path in a job's config or reason. */
public final class JobViews {
  public record JobView(long id, String kind, long ownerId, String status, String reason, Integer exitCode,
      Long pid, Long datasetId, Long snapshotId, String submittedAt, String startedAt, String finishedAt,
      JsonNode config) {}

  private final JobDao jobs;
  private final ServerPaths paths;

  public JobViews(Database db, ServerPaths paths) {
    this.jobs = db.dao(JobDao.class);
    this.paths = paths;
  }

  /** How views hide the server's paths from participants. */
  public ServerPaths paths() {
    return paths;
  }

  /** The job as {@code caller} may see it. */
  public JobView view(Caller caller, Job j) {
    JsonNode config;
    try {
      config = Json.MAPPER.readTree(j.config());
    } catch (JsonProcessingException e) {
      config = null;
    }
    boolean admin = caller.isAdmin();
    return new JobView(j.id(), j.kind(), j.ownerId(), j.status(), admin ? j.reason() : paths.scrub(j.reason()),
        j.exitCode(), j.pid(), j.datasetId(), j.snapshotId(), j.submittedAt(), j.startedAt(), j.finishedAt(),
        admin ? config : paths.scrub(config));
  }

  /** Jobs by id, as {@code caller} may see them (those that exist). */
  public List<JobView> views(Caller caller, List<Long> ids) {
    return ids.stream().map(jobs::find).flatMap(Optional::stream).map(j -> view(caller, j)).toList();
  }
}
