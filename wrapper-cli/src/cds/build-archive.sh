#!/bin/sh
# Builds the AppCDS archive lib/onsembl.jsa of a packaged distribution (run at `mvn package`, after the
# assembly). A dynamic archive (-XX:ArchiveClassesAtExit, layered on the JDK's default CDS archive) recorded
# from a short representative run of the distribution's own launcher, so its class path is exactly the
# launcher's: a wrapper that starts its child, loads config, protocol, Jackson and the WebSocket client, fails
# to reach a closed loopback port and gives up after 1 s (exit 4). About 2 s, no network, no backend.
# Measured here (docs/BENCHMARKS.md): launch → ONLINE ~10-25 % faster, VmRSS ~2 MiB lower; a static archive
# of wrapper + backend classes started about as fast but cost ~3 MiB more RSS.
# Never fails the build: when the JVM cannot dump or the archive does not map, there is no archive and the
# launcher simply runs without one.
# Usage: build-archive.sh DIST_DIR
dist=$1
jsa="$dist/lib/onsembl.jsa"
log="$dist/../onsembl-cds.log"
rm -f "$jsa" "$jsa.home"
state=$(mktemp -d "${TMPDIR:-/tmp}/onsembl-cds.XXXXXX") || exit 0
ONSEMBL_NO_CDS=1 ONSEMBL_TOKEN=cds-warm-up ONSEMBL_STATE_DIR="$state" \
  ONSEMBL_JAVA_OPTS="-XX:ArchiveClassesAtExit=$jsa -Xlog:cds=off -Xlog:cds+dynamic=off" \
  "$dist/bin/onsembl-agent" start --server ws://127.0.0.1:9 --give-up-after 1s --agent-id cds-warm-up \
  --state-dir "$state" --log-level error -- sleep 10 </dev/null >"$log" 2>&1
rm -rf "$state"
if [ ! -s "$jsa" ]; then
  echo "AppCDS: no archive was written (see $log); the launcher will run without one"
  rm -f "$jsa"
  exit 0
fi
# The launcher uses the archive only in the directory it was built for (see bin/onsembl-agent).
(cd "$dist" && pwd -P) > "$jsa.home"
# -Xshare:on makes a JVM that cannot map the archive fail instead of silently ignoring it.
if ! ONSEMBL_JAVA_OPTS="-Xshare:on" "$dist/bin/onsembl-agent" --version >>"$log" 2>&1; then
  echo "AppCDS: the archive does not map (see $log); removed, the launcher will run without it"
  rm -f "$jsa" "$jsa.home"
fi
exit 0
