package io.bosun.runtime.oci;

import io.bosun.runtime.oci.image.ImageConfig;
import io.bosun.runtime.spi.CreateContainerException;
import io.bosun.runtime.spi.SecurityOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Who a container runs as: the image's {@code User} ({@code name}, {@code uid}, {@code name:group},
 * {@code uid:gid}) resolved against the image's /etc/passwd and /etc/group, overridden by the pod's
 * runAsUser / runAsGroup, plus supplementalGroups, as containerd does.
 *
 * @param uid            the user id
 * @param gid            the primary group id
 * @param additionalGids groups from /etc/group membership and the pod's supplementalGroups
 */
record Users(long uid, long gid, List<Long> additionalGids) {

  /** One line of passwd or group: name, id, primary gid (passwd) or members (group). */
  private record Entry(String name, long id, long gid, List<String> members) {
  }

  static Users resolve(ImageConfig image, SecurityOptions security, Path rootfs) {
    List<Entry> passwd = read(rootfs, "etc/passwd", true);
    List<Entry> groups = read(rootfs, "etc/group", false);
    String spec = image.user();
    String userPart = spec;
    String groupPart = null;
    int colon = spec.indexOf(':');
    if (colon >= 0) {
      userPart = spec.substring(0, colon);
      groupPart = spec.substring(colon + 1);
    }
    long uid = 0;
    Long gid = null;
    String name = null;
    if (security.runAsUser() != null) {
      uid = security.runAsUser();
      Entry e = byId(passwd, uid);
      if (e != null) {
        name = e.name();
        gid = e.gid();
      }
    } else if (!userPart.isEmpty()) {
      if (userPart.chars().allMatch(Character::isDigit)) {
        uid = Long.parseLong(userPart);
        Entry e = byId(passwd, uid);
        if (e != null) {
          name = e.name();
          gid = e.gid();
        }
      } else {
        Entry e = byName(passwd, userPart);
        if (e == null) {
          throw new CreateContainerException("unable to find user " + userPart + ": no matching entries in passwd file");
        }
        uid = e.id();
        name = e.name();
        gid = e.gid();
      }
    } else {
      Entry e = byId(passwd, 0);
      name = e == null ? null : e.name();
      gid = e == null ? null : e.gid();
    }
    if (groupPart != null && !groupPart.isEmpty() && security.runAsUser() == null) {
      if (groupPart.chars().allMatch(Character::isDigit)) {
        gid = Long.parseLong(groupPart);
      } else {
        Entry g = byName(groups, groupPart);
        if (g == null) {
          throw new CreateContainerException("unable to find group " + groupPart + ": no matching entries in group file");
        }
        gid = g.id();
      }
    }
    if (security.runAsGroup() != null) {
      gid = security.runAsGroup();
    }
    Set<Long> extra = new LinkedHashSet<>();
    if (name != null) {
      for (Entry g : groups) {
        if (g.members().contains(name)) {
          extra.add(g.id());
        }
      }
    }
    extra.addAll(security.supplementalGroups());
    return new Users(uid, gid == null ? 0 : gid, List.copyOf(extra));
  }

  private static Entry byId(List<Entry> entries, long id) {
    return entries.stream().filter(e -> e.id() == id).findFirst().orElse(null);
  }

  private static Entry byName(List<Entry> entries, String name) {
    return entries.stream().filter(e -> e.name().equals(name)).findFirst().orElse(null);
  }

  private static List<Entry> read(Path rootfs, String rel, boolean passwd) {
    List<Entry> out = new ArrayList<>();
    Path file;
    try {
      file = io.bosun.runtime.oci.image.LayerUnpacker.resolveInRoot(rootfs, rel);
      if (!Files.isRegularFile(file)) {
        return out;
      }
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        String[] f = line.split(":", -1);
        if (line.startsWith("#") || f.length < (passwd ? 4 : 3)) {
          continue;
        }
        try {
          long id = Long.parseLong(f[2]);
          long gid = passwd ? Long.parseLong(f[3]) : id;
          List<String> members = !passwd && f.length > 3 && !f[3].isEmpty() ? List.of(f[3].split(",")) : List.of();
          out.add(new Entry(f[0], id, gid, members));
        } catch (NumberFormatException ignored) {
          // a malformed line: skip it as libc does
        }
      }
    } catch (IOException e) {
      return out;
    }
    return out;
  }
}
