# Shared by scripts/up, down and status. Sourced, not run.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE=${DEVOPS_STATE_DIR:-$ROOT/.local}
RUN=$STATE/run
LOGS=$STATE/logs
KEYCLOAK_VERSION=26.7.3
# DEVOPS_PORT_OFFSET moves every port (with DEVOPS_STATE_DIR, a second stack beside the first:
# the browser test runs its own at offset 12000, below the kernel's ephemeral ports).
OFFSET=${DEVOPS_PORT_OFFSET:-0}
PG_PORT=$((15432 + OFFSET))
KAFKA_PORT=$((19092 + OFFSET))
KAFKA_CONTROLLER_PORT=$((19093 + OFFSET))
KEYCLOAK_PORT=$((18080 + OFFSET))
KEYCLOAK_MGMT_PORT=$((19000 + OFFSET))
SERVICES=(registry-service session-service agent-runner onboarding-service audit-service console-ui)
declare -A SERVICE_PORT=([registry-service]=$((8081 + OFFSET)) [session-service]=$((8082 + OFFSET))
  [agent-runner]=$((8083 + OFFSET)) [onboarding-service]=$((8084 + OFFSET)) [audit-service]=$((8085 + OFFSET))
  [console-ui]=$((8080 + OFFSET)))
SERVICE_HEAP=${DEVOPS_SERVICE_HEAP:-160m}
# DEVOPS_REPLICAS=N runs N replicas of every service (one database, one broker): replica 1 is named
# after the service, replica i is "<service>-i" on the service's port + 100*(i-1), and calls replica i
# of the other services (a load balancer's job in a cluster). DEVOPS_KAFKA_SECURITY=sasl_ssl runs the
# broker with only a SASL_SSL (SCRAM-SHA-512) listener and the manifests' topics, users and ACLs.
REPLICAS=${DEVOPS_REPLICAS:-1}
KAFKA_SECURITY=${DEVOPS_KAFKA_SECURITY:-plaintext}
# replica_port SERVICE I: where replica I of SERVICE listens
replica_port() { echo $(( ${SERVICE_PORT[$1]} + 100 * ($2 - 1) )); }
# replica_name SERVICE I: its name in run/ and logs/
replica_name() { if [ "$2" = 1 ]; then echo "$1"; else echo "$1-$2"; fi; }
# instances SERVICE: every replica of SERVICE this state directory has a PID file for (whatever REPLICAS says now)
instances() { local f; echo "$1"; for f in "$RUN/$1"-[0-9]*.pid; do [ -e "$f" ] && basename "$f" .pid; done; return 0; }

mkdir -p "$RUN" "$LOGS"

# running PID: the process exists and is not a zombie (killed processes can linger <defunct> here
# because PID 1 does not reap them, and kill -0 still succeeds on those).
running() { [ -r "/proc/$1/stat" ] && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]; }

alive() { [ -f "$RUN/$1.pid" ] && running "$(cat "$RUN/$1.pid")"; }

# describe_exit STATUS: a shell exit status in words (above 128: the signal that ended the process).
describe_exit() {
  local rc=$1
  if [ "$rc" -gt 128 ]; then
    local sig; sig=$(kill -l $((rc - 128)) 2>/dev/null || echo "?")
    case $sig in
      KILL) echo "killed by signal $((rc - 128)) (SIGKILL: kill -9 or the kernel's out-of-memory killer; see dmesg)";;
      TERM|INT) echo "stopped by signal $((rc - 128)) (SIG$sig)";;
      *) echo "ended by signal $((rc - 128)) (SIG$sig)";;
    esac
  elif [ "$rc" -eq 0 ]; then echo "exited normally (status 0)"
  elif [ "$rc" -eq 3 ]; then echo "exited with status 3 (out of memory: see the heap dump and hs_err files in the logs)"
  else echo "exited with status $rc (see its log)"
  fi
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# wait_for NAME SECONDS COMMAND...: polls COMMAND until it succeeds or the time is up.
wait_for() {
  local name=$1 seconds=$2; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if [ $SECONDS -ge $deadline ]; then
      echo "  ! $name not ready after ${seconds}s; see $LOGS" >&2
      return 1
    fi
    sleep 0.5
  done
}

http_ok() { curl -fsS -o /dev/null --max-time 2 "$1"; }

# stop_pid NAME: TERM, wait up to 30 s, then KILL; removes the PID file.
stop_pid() {
  local name=$1 file="$RUN/$1.pid"
  [ -f "$file" ] || return 0
  local pid; pid=$(cat "$file")
  if running "$pid"; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 60); do running "$pid" || break; sleep 0.5; done
    running "$pid" && kill -KILL "$pid" 2>/dev/null || true
    echo "  stopped $name (pid $pid)"
  fi
  rm -f "$file"
}
