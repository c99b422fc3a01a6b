package org.radlab.core.jobs;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a job config field that whoever queues the job fills in (paths into the workspace, the job's id and label
 * snapshot), never the person asking for the job: the control API refuses such a field in a participant's request
 * and takes every other field as the request's own ({@link JobConfig#serverFields}).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface SetByServer {}
