# shellcheck shell=bash
# Shared by infra/kafka/start, stop and run-class; not meant to be run on its own.
#
# Layout of the git-ignored work dir:
#   .work/lib/<version>/        the broker's jars (and Kafka's tools), fetched once per version
#   .work/run/<port>/           one broker: server.properties, version, broker.pid,
#                               data/ (its log dirs) and logs/server.log
#   .work/.lock                 serialises start/stop/fetch (when flock(1) exists)

KAFKA_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
WORK="$KAFKA_DIR/.work"
# shellcheck disable=SC2034 # used by start
DEFAULT_PORT=19092
DEFAULT_VERSION=3.9.2

# Prints the comment block at the top of script $1 (its usage).
usage_of() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$1" >&2; }

log() { printf 'kafka: %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

run_dir() { printf '%s\n' "$WORK/run/$1"; }
lib_dir() { printf '%s\n' "$WORK/lib/$1"; }

check_port() {
  case "$1" in
    '' | *[!0-9]*) die "--port wants a number, got '$1'" ;;
  esac
  # The controller listens on port + 1.
  if [ "$1" -lt 1024 ] || [ "$1" -gt 65534 ]; then
    die "--port must be in 1024..65534 (the controller takes port + 1), got $1"
  fi
}

check_version() {
  case "$1" in
    [0-9]*.[0-9]*.[0-9]*) ;;
    *) die "--version wants a Kafka release like $DEFAULT_VERSION, got '$1'" ;;
  esac
  case "$1" in
    *[!0-9.]*) die "--version wants a Kafka release like $DEFAULT_VERSION, got '$1'" ;;
  esac
}

# Kafka 4 switched from reload4j to Log4j 2; the pom picks the backend with this switch.
major_of() { printf '%s\n' "${1%%.*}"; }

java_bin() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
    printf '%s\n' "$JAVA_HOME/bin/java"
  elif command -v java >/dev/null 2>&1; then
    command -v java
  else
    die "no java found (set JAVA_HOME or put java on PATH); Kafka 3.9 needs Java 11+, 4.x Java 17+"
  fi
}

# Takes the work dir's lock for the rest of the calling script (fd 9). Without flock(1) (macOS),
# goes on unlocked: concurrent starts are then the caller's problem.
take_lock() {
  mkdir -p "$WORK"
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$WORK/.lock"
    if ! flock -w 600 9; then
      die "another infra/kafka start/stop has held $WORK/.lock for 10 minutes"
    fi
  fi
}

# Downloads Kafka $1 and its runtime dependencies into .work/lib/$1 unless they are there already
# (and were fetched with the current pom.xml). Maven's own cache (~/.m2) makes a refetch cheap.
jars_stamp() { printf 'kafka %s, pom %s\n' "$1" "$(cksum <"$KAFKA_DIR/pom.xml" | tr -s ' ' | cut -d' ' -f1)"; }
jars_current() {
  local stamp
  stamp="$(lib_dir "$1")/.complete"
  [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$(jars_stamp "$1")" ]
}

ensure_jars() {
  local version=$1 dir tmp switch
  dir=$(lib_dir "$version")
  if jars_current "$version"; then
    return 0
  fi
  command -v mvn >/dev/null 2>&1 || die "Maven (mvn) is needed to fetch Kafka $version the first time"
  if [ "$(major_of "$version")" -ge 4 ]; then switch=-Dkafka4; else switch=-Dkafka3; fi
  tmp="$dir.tmp.$$"
  rm -rf "$tmp"
  log "fetching Kafka $version and its dependencies from Maven Central into $dir ..."
  # mvn -q still prints colour resets on stdout: all of its output goes to stderr, without them.
  if ! mvn -q -B -Dstyle.color=never -f "$KAFKA_DIR/pom.xml" \
    dependency:copy-dependencies \
    -Dkafka.version="$version" "$switch" -DoutputDirectory="$tmp" </dev/null 2>&1 |
    sed 's/\x1b\[[0-9;]*m//g' >&2; then
    rm -rf "$tmp"
    die "could not fetch Kafka $version with Maven (is $version a real release? is Maven Central reachable?)"
  fi
  [ -f "$tmp/kafka_2.13-$version.jar" ] || {
    rm -rf "$tmp"
    die "Maven finished but kafka_2.13-$version.jar is missing"
  }
  jars_stamp "$version" >"$tmp/.complete"
  rm -rf "$dir"
  mkdir -p "$(dirname "$dir")"
  mv "$tmp" "$dir"
}

# Prints the pid of the broker this work dir started on port $1 and returns 0, or returns 1.
# A pid only counts if that process is alive and really is our java running kafka.Kafka with
# this port's server.properties (pids get reused; zombies show up as "[java] <defunct>").
broker_pid() {
  local pidfile pid
  pidfile="$(run_dir "$1")/broker.pid"
  [ -f "$pidfile" ] || return 1
  pid=$(cat "$pidfile" 2>/dev/null) || return 1
  case "$pid" in '' | *[!0-9]*) return 1 ;; esac
  is_our_broker "$pid" "$1" || return 1
  printf '%s\n' "$pid"
}

# A process in the middle of an exec has no command line for a moment, and ps shows it as
# "[name]". start checks the broker right after the exec that makes it java, so that moment is
# waited out (up to a second) rather than taken for another program.
is_our_broker() {
  local args waited=0
  while :; do
    kill -0 "$1" 2>/dev/null || return 1
    args=$(ps -ww -o args= -p "$1" 2>/dev/null) || return 1
    case "$args" in
      *java*kafka.Kafka*"$(run_dir "$2")/server.properties"*) return 0 ;;
      '' | '['*']')
        alive "$1" && [ "$waited" -lt 50 ] || return 1
        waited=$((waited + 1))
        sleep 0.02
        ;;
      *) return 1 ;;
    esac
  done
}

# True while process $1 exists and is not a zombie. Used once a pid is known to be our broker:
# its command line vanishes early in exit, its sockets only a little later.
alive() {
  local stat
  stat=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
  case "$stat" in '' | Z*) return 1 ;; *) return 0 ;; esac
}

# Stops our broker on port $1: SIGTERM (a controlled shutdown), SIGKILL after $2 seconds.
stop_broker() {
  local port=$1 grace=$2 pid pidfile i
  pidfile="$(run_dir "$port")/broker.pid"
  if ! pid=$(broker_pid "$port"); then
    [ -f "$pidfile" ] && log "127.0.0.1:$port: stale pid file, no broker of ours running"
    rm -f "$pidfile"
    return 0
  fi
  log "stopping Kafka on 127.0.0.1:$port (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  i=0
  while alive "$pid" && [ "$i" -lt $((grace * 5)) ]; do
    sleep 0.2
    i=$((i + 1))
  done
  if alive "$pid"; then
    log "127.0.0.1:$port: still running after ${grace}s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    i=0
    while alive "$pid" && [ "$i" -lt 50 ]; do
      sleep 0.2
      i=$((i + 1))
    done
    if alive "$pid"; then
      log "error: pid $pid survived SIGKILL"
      return 1
    fi
  fi
  rm -f "$pidfile"
  log "stopped Kafka on 127.0.0.1:$port"
}

# Returns 0 when nothing listens on 127.0.0.1:$1 (we can bind it as the broker will).
port_free() {
  python3 - "$1" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
finally:
    s.close()
EOF
}

probe() { python3 "$KAFKA_DIR/probe.py" "$@"; }

# Prints $1 (default 1) new KRaft cluster ids, one a line, as Kafka mints them (Uuid.randomUuid):
# a random UUID in URL-safe base64, never starting with "-". One that did made the storage tool
# take it for an option and fail a start, once in 64 starts.
new_cluster_id() {
  python3 - "${1:-1}" <<'EOF'
import base64, sys, uuid
minted = 0
while minted < int(sys.argv[1]):
    cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
    if not cluster_id.startswith("-"):
        print(cluster_id)
        minted += 1
EOF
}
