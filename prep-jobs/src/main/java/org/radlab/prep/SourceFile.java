package org.radlab.prep;

import java.io.Serializable;

/** One input file as listed on the driver: its full Hadoop path, its length and its modification time. */
public record SourceFile(String path, long length, long modificationTime) implements Serializable {}
