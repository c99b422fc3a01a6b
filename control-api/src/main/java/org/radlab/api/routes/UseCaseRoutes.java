package org.radlab.api.routes;

import io.javalin.http.Context;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.radlab.api.db.AnnotationDao;
import org.radlab.api.db.Database;
import org.radlab.api.db.UseCaseDao;
import org.radlab.api.db.UseCaseDao.Category;
import org.radlab.api.db.UseCaseDao.UseCase;
import org.radlab.api.http.Times;
import org.radlab.api.http.ApiException;
import org.radlab.api.http.Caller;
import org.radlab.api.http.Json;
import org.radlab.api.http.Requests;
import org.radlab.core.task.AssistModule;
import org.radlab.core.task.TaskType;

/**
 * Define: the use-case catalog. Anyone may submit a use case (it goes to review); admins review and publish. Users
 * comment on published use cases and ask to draft ones that are not published yet.
 */
public final class UseCaseRoutes {
  public static final Set<String> STATUSES = Set.of("draft", "in_review", "published");
  /** The task types a use case can have. */
  public static final Set<String> TASKS = Set.of(TaskType.CLASSIFICATION.id(), TaskType.DETECTION.id(),
      TaskType.SEGMENTATION.id());

  public record CategoryRequest(String code, String name, String description, String cdeId) {}

  public record UseCaseRequest(String title, String summary, String bodyArea, String modality, String task,
      List<CategoryRequest> categories) {}

  public record UseCaseView(long id, String title, String summary, String bodyArea, String modality, String task,
      String status, String reviewNote, Long ownerId, String createdAt, String updatedAt, List<Category> categories) {}

  public record ReviewRequest(String decision, String note) {}

  public record TextRequest(String body) {}

  public record NoteRequest(String note) {}

  private final UseCaseDao useCases;
  private final AnnotationDao annotations;
  private final AgreementMatrix agreement;

  public UseCaseRoutes(Database db) {
    this.useCases = db.dao(UseCaseDao.class);
    this.annotations = db.dao(AnnotationDao.class);
    this.agreement = new AgreementMatrix(db);
  }

  public void list(Context ctx) {
    Caller caller = Requests.caller(ctx);
    String sort = Requests.text(ctx, "sort");
    if (sort != null && !UseCaseDao.SORTS.containsKey(sort.startsWith("-") ? sort.substring(1) : sort)) {
      throw ApiException.badRequest("sort must be one of " + new java.util.TreeSet<>(UseCaseDao.SORTS.keySet())
          + " (prefix '-' for descending), got '" + sort + "'");
    }
    String status = oneOf(Requests.text(ctx, "status"), STATUSES, "status");
    String task = oneOf(Requests.text(ctx, "task"), TASKS, "task");
    var search = new UseCaseDao.Search(Requests.text(ctx, "q"), status, Requests.text(ctx, "modality"),
        Requests.text(ctx, "bodyArea"), task, sort, caller.isAdmin() ? null : caller.id(), Requests.limit(ctx, 100),
        Requests.offset(ctx));
    ctx.json(useCases.search(search).stream().map(this::view).toList());
  }

  public void get(Context ctx) {
    ctx.json(view(visible(ctx)));
  }

  public void create(Context ctx) {
    Caller caller = Requests.caller(ctx);
    UseCaseRequest r = checked(Json.body(ctx, UseCaseRequest.class), 0);
    String status = caller.isAdmin() ? "draft" : "in_review";
    long id = useCases.create(r.title(), r.summary(), r.bodyArea(), r.modality(), r.task(), status, caller.id(),
        categories(r), Times.now());
    ctx.status(201).json(view(useCases.find(id).orElseThrow()));
  }

  public void update(Context ctx) {
    Caller caller = Requests.caller(ctx);
    UseCase u = visible(ctx);
    if (!caller.isAdmin() && (u.ownerId() == null || u.ownerId() != caller.id() || "published".equals(u.status()))) {
      throw ApiException.forbidden("only an admin, or its author before it is published, may change use case "
          + u.id());
    }
    UseCaseRequest r = checked(Json.body(ctx, UseCaseRequest.class), u.id());
    useCases.update(u.id(), r.title(), r.summary(), r.bodyArea(), r.modality(), r.task(), categories(r), Times.now());
    ctx.json(view(useCases.find(u.id()).orElseThrow()));
  }

  /** Admin review: {@code publish}, or {@code return} to draft with a note; an author may {@code submit} a draft. */
  public void review(Context ctx) {
    Caller caller = Requests.caller(ctx);
    UseCase u = visible(ctx);
    ReviewRequest r = Json.body(ctx, ReviewRequest.class);
    String decision = Requests.field(r.decision(), "decision", 20);
    String next = switch (decision) {
      case "publish" -> "published";
      case "return" -> "draft";
      case "submit" -> "in_review";
      default -> throw ApiException.badRequest("decision must be publish, return or submit, got '" + decision + "'");
    };
    boolean author = u.ownerId() != null && u.ownerId() == caller.id();
    if (!caller.isAdmin() && !("submit".equals(decision) && author)) {
      throw ApiException.forbidden("only an admin may " + decision + " a use case");
    }
    if ("submit".equals(decision) && !"draft".equals(u.status())) {
      throw ApiException.conflict("only a draft can be submitted for review; use case " + u.id() + " is " + u.status());
    }
    useCases.setStatus(u.id(), next, r.note() == null ? null : Requests.field(r.note(), "note", 2000), Times.now());
    ctx.json(view(useCases.find(u.id()).orElseThrow()));
  }

  /** The assist module: the stored document, or the default one made from the categories. */
  public void assistModule(Context ctx) {
    UseCase u = visible(ctx);
    String xml = useCases.assistDocument(u.id());
    ctx.contentType("application/xml; charset=utf-8").result(xml);
  }

  /** Admin: replaces the assist module after checking it against the schema and the use case's categories. */
  public void putAssistModule(Context ctx) {
    UseCase u = visible(ctx);
    String xml = Json.text(ctx);
    try {
      AssistModule.parse(xml).checkAgainst(useCases.categories(u.id()));
    } catch (AssistModule.InvalidDocument e) {
      throw ApiException.badRequest("invalid assist module: " + e.getMessage());
    }
    useCases.setAssistModule(u.id(), xml, Times.now());
    ctx.contentType("application/xml; charset=utf-8").result(xml);
  }

  public void comments(Context ctx) {
    ctx.json(useCases.comments(published(ctx).id()));
  }

  public void comment(Context ctx) {
    UseCase u = published(ctx);
    String body = Requests.field(Json.body(ctx, TextRequest.class).body(), "body", 5000);
    long id = useCases.addComment(u.id(), Requests.caller(ctx).id(), body, Times.now());
    ctx.status(201).json(useCases.comments(u.id()).stream().filter(c -> c.id() == id).findFirst().orElseThrow());
  }

  public void requestDraft(Context ctx) {
    Caller caller = Requests.caller(ctx);
    UseCase u = visible(ctx);
    if ("published".equals(u.status())) {
      throw ApiException.conflict("use case " + u.id() + " is published already; comment on it instead");
    }
    String note = Requests.field(Json.body(ctx, NoteRequest.class).note(), "note", 2000);
    if (useCases.countDraftRequests(u.id(), caller.id()) > 0) {
      throw ApiException.conflict("you have already asked to draft use case " + u.id());
    }
    long id = useCases.addDraftRequest(u.id(), caller.id(), note, Times.now());
    ctx.status(201).json(Map.of("id", id, "useCaseId", u.id(), "note", note));
  }

  public void draftRequests(Context ctx) {
    ctx.json(useCases.draftRequests(found(ctx).id()));
  }

  /** The crowdsourcing board: annotation counts per user for this use case, highest first. */
  public void board(Context ctx) {
    ctx.json(annotations.board(visible(ctx).id(), Requests.limit(ctx, 100)));
  }

  /** The caller's labels against the reference reader: counts only, refreshed at milestones (AgreementMatrix). */
  public void agreement(Context ctx) {
    UseCase u = visible(ctx);
    if (u.taskType() != TaskType.CLASSIFICATION) {
      throw ApiException.conflict("use case " + u.id() + " is a " + u.task() + " use case: the agreement matrix "
          + "compares category labels, which it has none of");
    }
    ctx.json(agreement.view(Requests.caller(ctx).id(), u));
  }

  private UseCase found(Context ctx) {
    long id = Requests.id(ctx, "useCaseId", "use case");
    return useCases.find(id).orElseThrow(() -> ApiException.notFound("use case " + id));
  }

  /** The use case, if the caller may see it: published, an admin's open draft, their own, or any for an admin. */
  UseCase visible(Context ctx) {
    Caller caller = Requests.caller(ctx);
    long id = Requests.id(ctx, "useCaseId", "use case");
    return useCases.findVisible(id, caller.isAdmin() ? null : caller.id())
        .orElseThrow(() -> ApiException.notFound("use case " + id));
  }

  private UseCase published(Context ctx) {
    UseCase u = visible(ctx);
    if (!"published".equals(u.status())) {
      throw ApiException.conflict("comments open when use case " + u.id() + " is published; it is " + u.status());
    }
    return u;
  }

  private UseCaseView view(UseCase u) {
    return new UseCaseView(u.id(), u.title(), u.summary(), u.bodyArea(), u.modality(), u.task(), u.status(),
        u.reviewNote(), u.ownerId(), u.createdAt(), u.updatedAt(), useCases.categories(u.id()));
  }

  private UseCaseRequest checked(UseCaseRequest r, long id) {
    String title = Requests.field(r.title(), "title", 200);
    if (useCases.countTitled(title, id) > 0) {
      throw ApiException.conflict("a use case titled '" + title + "' exists already");
    }
    String task = r.task() == null ? TaskType.CLASSIFICATION.id() : oneOf(r.task(), TASKS, "task");
    List<CategoryRequest> categories = r.categories() == null ? List.of() : r.categories();
    int least = TaskType.parse(task) == TaskType.CLASSIFICATION ? 2 : 1;
    if (categories.size() < least || categories.size() > 50) {
      throw ApiException.badRequest("a " + task + " use case needs " + least + " to 50 categories, got "
          + categories.size());
    }
    Set<String> codes = new HashSet<>();
    for (int i = 0; i < categories.size(); i++) {
      CategoryRequest c = categories.get(i);
      if (c == null) {
        throw ApiException.badRequest("categories[" + i + "] is empty");
      }
      String code = Requests.field(c.code(), "categories[" + i + "].code", 32);
      if (!code.matches("[A-Za-z0-9_.-]+")) {
        throw ApiException.badRequest("categories[" + i + "].code may hold letters, digits, '_', '.' and '-' only, "
            + "got '" + code + "'");
      }
      if (!codes.add(code)) {
        throw ApiException.badRequest("category code '" + code + "' appears twice");
      }
      Requests.field(c.name(), "categories[" + i + "].name", 100);
      Requests.field(c.cdeId(), "categories[" + i + "].cdeId", 64);
      if (c.description() == null || c.description().length() > 2000) {
        throw ApiException.badRequest("categories[" + i + "].description is required (at most 2000 characters)");
      }
    }
    return new UseCaseRequest(title, r.summary() == null ? "" : checkLength(r.summary(), "summary", 5000),
        Requests.field(r.bodyArea(), "bodyArea", 100), Requests.field(r.modality(), "modality", 50), task,
        categories);
  }

  private static String checkLength(String value, String name, int max) {
    if (value.length() > max) {
      throw ApiException.badRequest("'" + name + "' is longer than " + max + " characters");
    }
    return value.strip();
  }

  private static List<Category> categories(UseCaseRequest r) {
    return r.categories().stream().map(c -> new Category(c.code().strip(), c.name().strip(), c.description().strip(),
        c.cdeId().strip())).toList();
  }

  static String oneOf(String value, Set<String> allowed, String name) {
    if (value == null) {
      return null;
    }
    String v = value.toLowerCase(Locale.ROOT);
    if (!allowed.contains(v)) {
      throw ApiException.badRequest(name + " must be one of " + new java.util.TreeSet<>(allowed) + ", got '" + value
          + "'");
    }
    return v;
  }

}
