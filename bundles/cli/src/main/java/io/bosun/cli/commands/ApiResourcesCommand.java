package io.bosun.cli.commands;

import io.bosun.api.schema.KindInfo;
import io.bosun.cli.Cli;
import io.bosun.cli.output.TableWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "api-resources", description = "List the resource types the cluster serves and their short names.")
public final class ApiResourcesCommand implements Callable<Integer> {

  private final Cli cli;

  public ApiResourcesCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() {
    TableWriter w = new TableWriter().header("NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND");
    for (KindInfo k : cli.kinds().all()) {
      w.row(k.plural(), String.join(",", k.shortNames()), k.apiVersion(), Boolean.toString(k.namespaced()), k.kind());
    }
    w.print(cli.out(), true);
    return 0;
  }
}
