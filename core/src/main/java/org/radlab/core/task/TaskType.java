package org.radlab.core.task;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import org.radlab.core.model.Choices;

/**
 * What a use case asks of a model: a class per study ({@code classification}), boxes around findings
 * ({@code detection}) or a mask per pixel ({@code segmentation}). It is one field of the use case and decides how
 * labels are kept, how a model is trained and which metrics judge it.
 */
public enum TaskType {
  CLASSIFICATION, DETECTION, SEGMENTATION;

  /** The name in configs and the API: {@code classification}, {@code detection}, {@code segmentation}. */
  @JsonValue
  public String id() {
    return Choices.id(this);
  }

  @JsonCreator
  public static TaskType parse(String name) {
    return Choices.parse(TaskType.class, name, "task");
  }
}
