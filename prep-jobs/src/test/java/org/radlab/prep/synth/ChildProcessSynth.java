package org.radlab.prep.synth;

import picocli.CommandLine;

/** Runs the synth command in a child JVM, so a test can give it an environment of its own (e.g. no dcmtk). */
final class ChildProcessSynth {
  private ChildProcessSynth() {}

  public static void main(String[] args) {
    System.exit(new CommandLine(new SynthCommand()).execute(args));
  }
}
