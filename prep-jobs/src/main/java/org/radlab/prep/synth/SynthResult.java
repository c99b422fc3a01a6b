package org.radlab.prep.synth;

import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What a run wrote.
 *
 * @param outDir    the output directory
 * @param labelsCsv OUT/labels.csv, one row per study
 * @param studies   every study, in index order
 */
public record SynthResult(Path outDir, Path labelsCsv, List<SynthStudy> studies) {
  public SynthResult {
    studies = List.copyOf(studies);
  }

  public int imageCount() {
    return studies.stream().mapToInt(s -> s.images().size()).sum();
  }

  public long patientCount() {
    return studies.stream().map(SynthStudy::patientId).distinct().count();
  }

  /** Number of files per transfer syntax, in declaration order; syntaxes not written are left out. */
  public Map<SynthTransferSyntax, Integer> filesPerTransferSyntax() {
    Map<SynthTransferSyntax, Integer> counts = new EnumMap<>(SynthTransferSyntax.class);
    studies.forEach(s -> s.images().forEach(i -> counts.merge(i.transferSyntax(), 1, Integer::sum)));
    return counts;
  }

  /** Number of studies per reference density class, every class present (possibly 0). */
  public Map<BiRadsDensity, Integer> studiesPerDensity() {
    Map<BiRadsDensity, Integer> counts = new EnumMap<>(BiRadsDensity.class);
    for (BiRadsDensity d : BiRadsDensity.values()) {
      counts.put(d, 0);
    }
    studies.forEach(s -> counts.merge(s.density(), 1, Integer::sum));
    return counts;
  }
}
