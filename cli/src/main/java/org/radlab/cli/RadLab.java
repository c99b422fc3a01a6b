package org.radlab.cli;

import org.radlab.api.ServeCommand;
import org.radlab.cli.cluster.ClusterCommand;
import org.radlab.cli.cluster.SubmitCommand;
import org.radlab.eval.AssessCommand;
import org.radlab.eval.EvaluateCommand;
import org.radlab.eval.MetricsCommand;
import org.radlab.prep.LabelsCommand;
import org.radlab.prep.PrepCommand;
import org.radlab.prep.pacs.PullCommand;
import org.radlab.prep.pacs.ReceiveCommand;
import org.radlab.prep.pacs.SendCommand;
import org.radlab.prep.synth.SynthCommand;
import org.radlab.train.TrainCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code radlab} command line: one picocli command whose subcommands come from every job module. */
@Command(name = "radlab", mixinStandardHelpOptions = true, version = "RadLab 0.1.0",
    description = "RadLab: an open AI lab for radiology on Apache Spark.",
    subcommands = {DemoCommand.class, SynthCommand.class, PullCommand.class, ReceiveCommand.class, PrepCommand.class,
        LabelsCommand.class, TrainCommand.class, EvaluateCommand.class, AssessCommand.class, MetricsCommand.class, SendCommand.class,
        ServeCommand.class, ClusterCommand.class, SubmitCommand.class, NotebookCommand.class,
        CommandLine.HelpCommand.class},
    footer = {"", "Workspace: $RADLAB_HOME (default ./radlab-home). Run 'radlab COMMAND --help' for a command's options."})
public final class RadLab implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The configured command line, shared by {@link #main} and tests. */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new RadLab());
    cli.setExecutionExceptionHandler((e, line, parsed) -> {
      if (e instanceof IllegalArgumentException || e instanceof java.io.IOException) {
        line.getErr().println(line.getColorScheme().errorText("radlab " + line.getCommandName() + ": "
            + e.getMessage()));
        return 2;
      }
      throw e;
    });
    return cli;
  }
}
