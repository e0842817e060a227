package io.bosun.cli.commands;

import io.bosun.cli.Cli;
import io.bosun.cli.CliException;
import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "completion", description = "Print a shell completion script (bash; zsh loads it through"
    + " bashcompinit).",
    footerHeading = "%nExamples:%n",
    footer = {"  source <(bosun completion bash)",
        "  bosun completion bash > /etc/bash_completion.d/bosun",
        "  autoload -U +X bashcompinit && bashcompinit && source <(bosun completion zsh)"})
public final class CompletionCommand implements Callable<Integer> {

  private final Cli cli;

  @Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(paramLabel = "SHELL", description = "bash or zsh")
  String shell;

  public CompletionCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() {
    if (!shell.equals("bash") && !shell.equals("zsh")) {
      throw new CliException("completion is available for bash and zsh, not " + shell, 2, null);
    }
    cli.out().print(AutoComplete.bash("bosun", spec.root().commandLine()));
    return 0;
  }
}
