package com.example.bosun.tier;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;

/**
 * The bundle a vendor ships: the manifest bnd wrote into {@code target/classes} (the jar's
 * manifest) imports only the SPI, the API model packages and Jackson, exports nothing, and
 * declares the factory component.
 */
class BundleManifestTest {

  private static Attributes manifest() throws Exception {
    Path classes = Path.of(NodeTierFactory.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Path mf = classes.resolve("META-INF/MANIFEST.MF");
    assertThat(mf).as("bnd-maven-plugin writes the manifest before the tests run").exists();
    try (InputStream in = Files.newInputStream(mf)) {
      return new Manifest(in).getMainAttributes();
    }
  }

  /** Package names of an OSGi header, without attributes (commas inside quotes are not separators). */
  private static List<String> packages(String header) {
    List<String> names = new ArrayList<>();
    boolean quoted = false;
    StringBuilder clause = new StringBuilder();
    for (char c : (header + ",").toCharArray()) {
      if (c == '"') {
        quoted = !quoted;
      }
      if (c == ',' && !quoted) {
        names.add(clause.toString().split(";")[0].strip());
        clause.setLength(0);
      } else {
        clause.append(c);
      }
    }
    return names;
  }

  @Test
  void importsOnlyTheSpiTheApiModelAndJackson() throws Exception {
    Attributes a = manifest();
    assertThat(a.getValue("Bundle-SymbolicName")).isEqualTo("com.example.bosun.tier");
    List<String> imports = packages(a.getValue("Import-Package"));
    assertThat(imports).contains("io.bosun.scheduler.spi", "io.bosun.api.core.v1");
    assertThat(imports).allSatisfy(p -> assertThat(p).matches(
        "io\\.bosun\\.scheduler\\.spi|io\\.bosun\\.api(\\..+)?|com\\.fasterxml\\.jackson\\..+|java\\..+"));
    assertThat(a.getValue("Import-Package")).contains("io.bosun.scheduler.spi;version=\"[1.0,2)\"");
    assertThat(a.getValue("Export-Package")).as("the plugin's package is private").isNull();
    assertThat(a.getValue("Private-Package")).isEqualTo("com.example.bosun.tier");
  }

  @Test
  void declaresTheFactoryComponentByName() throws Exception {
    Attributes a = manifest();
    assertThat(a.getValue("Service-Component")).isEqualTo("OSGI-INF/com.example.bosun.tier.NodeTierFactory.xml");
    Path classes = Path.of(NodeTierFactory.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    String component = Files.readString(classes.resolve("OSGI-INF/com.example.bosun.tier.NodeTierFactory.xml"));
    assertThat(component).contains("<provide interface=\"io.bosun.scheduler.spi.PluginFactory\"/>")
        .contains("<property name=\"bosun.scheduler.plugin\" type=\"String\" value=\"NodeTier\"/>");
  }
}
