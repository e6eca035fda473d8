#!/bin/sh
# Builds the class-data archives of a packaged distribution (run at `mvn package`, after the assembly):
#  - lib/onsembl.jsa: a static AppCDS archive (JDK classes + the wrapper's) for the JDK that builds (17+);
#  - lib/onsembl.aot: an AOT cache (JEP 483/514) when a JDK 25+ is found ($ONSEMBL_AOT_JDK, else
#    /usr/lib/jvm/*25*; ONSEMBL_AOT_JDK=none skips it); without one there is simply no AOT cache.
# Both are recorded from the same training run (ai.onsembl.cli.CdsTraining): the distribution's own launcher,
# with its own flags and class path, connects to a real backend in the trainer's JVM, heartbeats, runs one
# command and says goodbye on SIGTERM, so launch *and* shutdown classes are archived. `start` loads no picocli
# (StartArgs parses its command line), so the archive holds none; the other commands load it from the jar.
# Each archive is used only by the JDK that built it, in the directory it was built for (bin/onsembl-agent
# checks lib/onsembl.jsa.home / lib/onsembl.aot.home: that JDK's home, the distribution's, the JDK's extra
# flags). Never fails the build: without an archive the launcher runs without one. Skip with -Donsembl.cds.skip=true.
# Usage: build-archive.sh DIST_DIR
dist=$(cd "$1" && pwd -P) || exit 0
lib="$dist/lib"
log="$dist/../onsembl-cds.log"
: > "$log"
rm -f "$lib/onsembl.jsa" "$lib/onsembl.jsa.home" "$lib/onsembl.aot" "$lib/onsembl.aot.home" "$lib/onsembl.classlist"

# The wrapper's own JVM flags, as bin/onsembl-agent passes them (the archive must match them).
flags=$(sed -n 's/^ *JVM_OPTS="\(-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1[^"]*\)".*/\1/p' \
  "$dist/bin/onsembl-agent" | head -1)
java_of() { if [ -n "$1" ]; then echo "$1/bin/java"; else echo java; fi; }
home_of() {
  # The JDK's home as the launcher will see it: $JAVA_HOME, else the real path of `java` on PATH.
  if [ -n "$1" ]; then (cd "$1" && pwd -P); else dirname "$(dirname "$(readlink -f "$(command -v java)")")"; fi
}
# Line 3 of a .home file: flags the launcher adds for that JDK only, each kept when the JDK takes it without a
# word (-XX:TrimNativeHeapInterval: glibc's free native memory handed back every 5 s, ~0.7 MB of an idle wrapper;
# a product flag from JDK 17.0.9 on, unknown to older 17s, which would refuse to start with it).
quiet_flags() { # JAVA
  for f in -XX:TrimNativeHeapInterval=5000; do
    if out=$("$1" -Xshare:off "$f" -version 2>&1) \
      && ! printf '%s\n' "$out" | grep -qi 'warning\|ignoring\|unrecognized\|error'; then
      printf '%s ' "$f"
    fi
  done
  echo
}
train() { # JAVA_HOME_TO_USE JVM_FLAGS...
  jh=$1; shift
  JAVA_HOME="$jh" "$(java_of "$jh")" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp "$lib/*" \
    ai.onsembl.cli.CdsTraining "$dist" "$@" >>"$log" 2>&1
}

# 1. Static AppCDS archive for the building JDK.
start=$(date +%s)
if train "$JAVA_HOME" "-XX:DumpLoadedClassList=$lib/onsembl.classlist" && [ -s "$lib/onsembl.classlist" ]; then
  # shellcheck disable=SC2086
  "$(java_of "$JAVA_HOME")" -Xshare:dump -XX:SharedClassListFile="$lib/onsembl.classlist" \
    -XX:SharedArchiveFile="$lib/onsembl.jsa" $flags -cp "$lib/*" >>"$log" 2>&1
fi
rm -f "$lib/onsembl.classlist"
if [ -s "$lib/onsembl.jsa" ]; then
  home_of "$JAVA_HOME" > "$lib/onsembl.jsa.home"
  echo "$dist" >> "$lib/onsembl.jsa.home"
  quiet_flags "$(java_of "$JAVA_HOME")" >> "$lib/onsembl.jsa.home"
  # -Xshare:on makes a JVM that cannot map the archive fail instead of silently ignoring it.
  if ! ONSEMBL_JAVA_OPTS="-Xshare:on" "$dist/bin/onsembl-agent" --version >>"$log" 2>&1; then
    echo "AppCDS: the archive does not map (see $log); removed, the launcher will run without it"
    rm -f "$lib/onsembl.jsa" "$lib/onsembl.jsa.home"
  else
    echo "AppCDS: lib/onsembl.jsa ($(( $(date +%s) - start )) s)"
  fi
else
  echo "AppCDS: no archive was written (see $log); the launcher will run without one"
  rm -f "$lib/onsembl.jsa"
fi

# 2. AOT cache, only with a JDK 25 or newer.
aot_jdk=$ONSEMBL_AOT_JDK
if [ -z "$aot_jdk" ]; then
  for d in /usr/lib/jvm/*25*; do
    [ -x "$d/bin/java" ] && aot_jdk=$d && break
  done
fi
if [ -n "$aot_jdk" ] && [ -x "$aot_jdk/bin/java" ]; then
  major=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$aot_jdk/release" 2>/dev/null)
  if [ "${major:-0}" -ge 25 ]; then
    start=$(date +%s)
    # One step (JEP 514): the training JVM writes the cache when it exits.
    if train "$aot_jdk" "-XX:AOTCacheOutput=$lib/onsembl.aot" "-Xlog:aot=off" "-Xlog:cds=off" \
      && [ -s "$lib/onsembl.aot" ]; then
      home_of "$aot_jdk" > "$lib/onsembl.aot.home"
      echo "$dist" >> "$lib/onsembl.aot.home"
      quiet_flags "$(java_of "$aot_jdk")" >> "$lib/onsembl.aot.home"
      if ! JAVA_HOME="$aot_jdk" ONSEMBL_JAVA_OPTS="-XX:AOTMode=on" "$dist/bin/onsembl-agent" --version >>"$log" 2>&1
      then
        echo "AOT cache: does not load (see $log); removed"
        rm -f "$lib/onsembl.aot" "$lib/onsembl.aot.home"
      else
        echo "AOT cache: lib/onsembl.aot for JDK $major ($(( $(date +%s) - start )) s)"
      fi
    else
      echo "AOT cache: not written (see $log)"
      rm -f "$lib/onsembl.aot"
    fi
  fi
fi
exit 0
