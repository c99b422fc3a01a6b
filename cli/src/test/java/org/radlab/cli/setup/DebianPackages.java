package org.radlab.cli.setup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * This machine's Debian packages, as dpkg knows them: which package installed a command, and which packages a list
 * of packages brings with it (their Depends and Pre-Depends, followed to the end, plus Debian's essential set, which
 * every Debian machine has). Used to check that bin/bootstrap's package list covers every command the project runs.
 */
final class DebianPackages {
  private static final Pattern ARRAY = Pattern.compile("(?ms)^DEBIAN_PACKAGES=\\((.*?)^\\)");

  private record Installed(String name, boolean essential, List<String> provides, List<List<String>> depends) {}

  private final Map<String, Installed> installed = new HashMap<>();
  private final Map<String, List<String>> providers = new HashMap<>();

  private DebianPackages() {}

  /** Reads every installed package with dpkg-query. */
  static DebianPackages load() throws IOException, InterruptedException {
    DebianPackages p = new DebianPackages();
    String out = run("dpkg-query", "-W",
        "-f=${Package}\t${db:Status-Abbrev}\t${Essential}\t${Provides}\t${Pre-Depends}, ${Depends}\n").output();
    for (String line : out.split("\n")) {
      String[] f = line.split("\t", -1);
      if (f.length < 5 || !f[1].startsWith("ii")) {
        continue;
      }
      List<String> provides = new ArrayList<>();
      for (String item : f[3].split(",")) {
        if (!name(item).isEmpty()) {
          provides.add(name(item));
        }
      }
      List<List<String>> depends = new ArrayList<>();
      for (String group : f[4].split(",")) {
        List<String> alternatives = new ArrayList<>();
        for (String alternative : group.split("\\|")) {
          if (!name(alternative).isEmpty()) {
            alternatives.add(name(alternative));
          }
        }
        if (!alternatives.isEmpty()) {
          depends.add(alternatives);
        }
      }
      Installed pkg = new Installed(f[0], f[2].equals("yes"), provides, depends);
      p.installed.put(pkg.name(), pkg);
      for (String v : provides) {
        p.providers.computeIfAbsent(v, k -> new ArrayList<>()).add(pkg.name());
      }
    }
    return p;
  }

  /** The words of bin/bootstrap's {@code DEBIAN_PACKAGES=( ... )}, comments left out. */
  static List<String> bootstrapList(String script) {
    Matcher m = ARRAY.matcher(script);
    if (!m.find()) {
      throw new IllegalArgumentException("no DEBIAN_PACKAGES=( ... ) array in the script");
    }
    List<String> names = new ArrayList<>();
    for (String line : m.group(1).split("\n")) {
      int hash = line.indexOf('#');
      for (String word : (hash < 0 ? line : line.substring(0, hash)).trim().split("\\s+")) {
        if (!word.isEmpty()) {
          names.add(word);
        }
      }
    }
    return names;
  }

  /**
   * The installed packages that installing {@code listed} brings: each listed package (or, for a virtual one, the
   * installed packages that provide it), what they depend on, followed to the end, and the essential packages. Of a
   * dependency's alternatives ("a | b") only the first one installed here counts, as apt would choose it.
   */
  Set<String> closure(List<String> listed) {
    Set<String> seen = new LinkedHashSet<>();
    Deque<String> todo = new ArrayDeque<>();
    for (String name : listed) {
      todo.addAll(resolve(name));
    }
    installed.values().stream().filter(Installed::essential).map(Installed::name).forEach(todo::add);
    while (!todo.isEmpty()) {
      String name = todo.poll();
      if (!seen.add(name)) {
        continue;
      }
      for (List<String> group : installed.get(name).depends()) {
        group.stream().map(this::resolve).filter(r -> !r.isEmpty()).findFirst().ifPresent(todo::addAll);
      }
    }
    return seen;
  }

  /** The installed package of this name, or the installed packages that provide it; empty when there is none. */
  private List<String> resolve(String name) {
    if (installed.containsKey(name)) {
      return List.of(name);
    }
    return providers.getOrDefault(name, List.of());
  }

  /**
   * Where a command is, found on the PATH as a child process started by name finds it (so a shell builtin such as
   * kill counts only when a file of that name is there too); empty when it is not on the PATH.
   */
  static Optional<Path> onPath(String command) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      Path candidate = Path.of(dir.isEmpty() ? "." : dir, command);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return Optional.of(candidate.toAbsolutePath());
      }
    }
    return Optional.empty();
  }

  /**
   * The package that installed the file a command runs. The command's path is followed through its symbolic links
   * (alternatives among them) to the real file, whose package is asked first, then each link on the way. Each path is
   * asked as it is and under its other merged-/usr name (/bin and /usr/bin are one directory, but dpkg knows each file
   * by the name its package used). Empty when no package owns any of them (a file installed by hand).
   */
  static Optional<String> owner(Path command) throws IOException, InterruptedException {
    List<Path> chain = new ArrayList<>();
    chain.add(command.toRealPath());
    Path p = command;
    for (int hops = 0; hops < 20 && Files.isSymbolicLink(p); hops++) {
      chain.add(p);
      p = p.resolveSibling(Files.readSymbolicLink(p)).normalize();
    }
    chain.add(p);
    chain.add(command);
    for (Path candidate : chain) {
      for (String name : mergedUsrNames(candidate)) {
        Run r = run("dpkg-query", "-S", name);
        if (r.code() != 0) {
          continue;
        }
        for (String line : r.output().split("\n")) {
          int colon = line.lastIndexOf(": ");
          if (colon > 0 && !line.startsWith("diversion ") && line.substring(colon + 2).equals(name)) {
            return Optional.of(line.substring(0, colon).split(",")[0].trim().replaceAll(":.*", ""));
          }
        }
      }
    }
    return Optional.empty();
  }

  /** A path and its other name on a merged-/usr system (with its directory's links resolved too). */
  private static List<String> mergedUsrNames(Path path) throws IOException {
    Set<String> names = new LinkedHashSet<>();
    names.add(path.toString());
    Path parent = path.getParent();
    if (parent != null && Files.isDirectory(parent)) {
      names.add(parent.toRealPath().resolve(path.getFileName()).toString());
    }
    for (String name : List.copyOf(names)) {
      for (String dir : List.of("/bin/", "/sbin/", "/lib/", "/lib64/")) {
        if (name.startsWith(dir)) {
          names.add("/usr" + name);
        } else if (name.startsWith("/usr" + dir)) {
          names.add(name.substring(4));
        }
      }
    }
    return List.copyOf(names);
  }

  /** A package name from a dependency or Provides item: no version constraint, no architecture qualifier. */
  private static String name(String item) {
    String s = item.replaceAll("\\(.*?\\)", "").replaceAll("\\[.*?]", "").trim();
    int colon = s.indexOf(':');
    return colon < 0 ? s : s.substring(0, colon);
  }

  record Run(int code, String output) {}

  static Run run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException(String.join(" ", command) + " did not end in 60 s");
    }
    return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }
}
