#!/usr/bin/env bash
# Makes sure this machine has everything `npm test` needs, and changes nothing that is already
# there: the five local servers (PostgreSQL, MariaDB, RabbitMQ, NATS with JetStream, Redis)
# answering, the `test` databases, Debian's chromium for the inspector's browser test,
# librdkafka-dev, pkg-config and gcc for the Kafka tests' mock cluster, and the compilers
# `npm install` needs for better-sqlite3. `npm test` (pretest) and `.ci/run` both call it.
# When all is present it only probes (well under a second).
# When something is missing it installs or starts it if it may (root, apt works); otherwise
# it names what is missing and the command that fixes it, and exits 1.
#
# The checked places can be overridden, so the "missing" path can be tried without removing
# anything: CHROMIUM_PATH (the browser binary), PKG_CONFIG_LIBDIR (where pkg-config looks for
# rdkafka), TIDINGS_ENV_PORT_<POSTGRES|MARIADB|RABBITMQ|NATS|REDIS> (the port probed), and
# TIDINGS_ENV_FIX=0 (only report, never install or start).
set -uo pipefail

started_ms=$(date +%s%3N)
fix=${TIDINGS_ENV_FIX:-1}
[ "$(id -u)" = 0 ] || fix=0
chromium=${CHROMIUM_PATH:-/usr/bin/chromium}
missing=()

have() { command -v "$1" >/dev/null 2>&1; }
port_of() { local var="TIDINGS_ENV_PORT_$1"; printf '%s' "${!var:-$2}"; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_port() {
  for _ in $(seq 1 120); do port_open "$1" && return 0; sleep 0.5; done
  return 1
}
# Remembers what could not be made present, with the command a person would run.
lack() { missing+=("$1|$2"); }

apt_updated=0
apt_install() {
  [ "$fix" = 1 ] || return 1
  if [ "$apt_updated" = 0 ]; then apt-get update -qq || return 1; apt_updated=1; fi
  echo "test-env: installing $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
# Starts a server with the machine's own command, once its package is there.
# A probed port that was overridden is a pretended absence: nothing is started for it.
start_server() {
  local name=$1 package=$2 check=$3
  local override="TIDINGS_ENV_PORT_$name" port
  port=$(port_of "$name" 0)
  shift 3
  [ "$fix" = 1 ] && [ -z "${!override:-}" ] || return 1
  have "$check" || [ -x "$check" ] || apt_install "$package" || return 1
  echo "test-env: starting $package"
  "$@" >/dev/null 2>&1 || true
  wait_port "$port"
}

postgres_version() { ls /etc/postgresql 2>/dev/null | head -1; }
start_postgres() { pg_ctlcluster --skip-systemctl-redirect "$(postgres_version)" main start; }
start_nats() {
  mkdir -p /var/lib/nats-server
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- \
    -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log
}
start_redis() {
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
}
start_mariadb() {
  mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld 2>/dev/null
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
}
# An open port is not enough for RabbitMQ: a broker can accept TCP and never answer the AMQP
# handshake (seen once it held hundreds of quorum queues). Ask for the protocol header back.
amqp_answers() {
  timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1; printf 'AMQP\0\0\x09\x01' >&3; head -c 8 <&3 | grep -q ." \
    2>/dev/null
}
start_rabbitmq() {
  if port_open 5672; then
    echo "test-env: RabbitMQ does not answer the AMQP handshake; restarting it"
    timeout 30 rabbitmqctl stop >/dev/null 2>&1 || {
      local pidfile
      pidfile=$(ls /var/lib/rabbitmq/mnesia/*.pid 2>/dev/null | head -1)
      [ -n "$pidfile" ] && kill -9 "$(cat "$pidfile")" 2>/dev/null
    }
    sleep 2
  fi
  rabbitmq-server -detached
}

# --- servers ---------------------------------------------------------------------------
port=$(port_of POSTGRES 5432)
if ! port_open "$port" && ! start_server POSTGRES postgresql pg_ctlcluster start_postgres; then
  lack "PostgreSQL on 127.0.0.1:$port" \
    'apt-get install -y postgresql && pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start'
elif [ "$port" = 5432 ] && have psql && ! psql -h 127.0.0.1 -U postgres -d test -Atc 'select 1' >/dev/null 2>&1; then
  psql -h 127.0.0.1 -U postgres -d postgres -qc 'create database test' >/dev/null 2>&1 ||
    lack "PostgreSQL database test" "psql -h 127.0.0.1 -U postgres -d postgres -c 'create database test'"
fi

port=$(port_of MARIADB 3306)
if ! port_open "$port" && ! start_server MARIADB mariadb-server /usr/sbin/mariadbd start_mariadb; then
  lack "MariaDB on 127.0.0.1:$port" \
    'apt-get install -y mariadb-server && start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd'
elif [ "$port" = 3306 ] && have mariadb && ! mariadb -h 127.0.0.1 -u root test -e 'select 1' >/dev/null 2>&1; then
  mariadb -h 127.0.0.1 -u root -e 'create database if not exists test' >/dev/null 2>&1 ||
    lack "MariaDB database test" "mariadb -h 127.0.0.1 -u root -e 'create database test'"
fi

port=$(port_of RABBITMQ 5672)
if ! { port_open "$port" && amqp_answers "$port"; } &&
  ! { start_server RABBITMQ rabbitmq-server rabbitmq-server start_rabbitmq &&
    for _ in $(seq 1 60); do amqp_answers "$port" && break; sleep 1; done && amqp_answers "$port"; }; then
  lack "RabbitMQ answering AMQP on 127.0.0.1:$port" 'apt-get install -y rabbitmq-server && rabbitmq-server -detached'
fi

port=$(port_of NATS 4222)
if ! port_open "$port" && ! start_server NATS nats-server /usr/sbin/nats-server start_nats; then
  lack "NATS with JetStream on 127.0.0.1:$port" \
    'apt-get install -y nats-server && start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log'
fi

port=$(port_of REDIS 6379)
if ! port_open "$port" && ! start_server REDIS redis-server redis-server start_redis; then
  lack "Redis on 127.0.0.1:$port" \
    "apt-get install -y redis-server && redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no"
fi

# --- packages --------------------------------------------------------------------------
# `npm install` builds better-sqlite3 from source (.ci/run calls this script before it).
if ! { have python3 && have make && have g++; }; then
  if ! apt_install python3 make g++ || ! { have python3 && have make && have g++; }; then
    lack "python3, make and g++ (npm install builds better-sqlite3)" 'apt-get install -y python3 make g++'
  fi
fi
# The Kafka tests build librdkafka's mock cluster with gcc and pkg-config.
if ! { have gcc && have pkg-config && pkg-config --exists rdkafka 2>/dev/null; }; then
  # The override names where pkg-config looks; an install cannot satisfy a pretended absence.
  if [ -n "${PKG_CONFIG_LIBDIR:-}" ] || ! apt_install librdkafka-dev pkg-config gcc ||
    ! pkg-config --exists rdkafka 2>/dev/null; then
    lack "librdkafka-dev, pkg-config and gcc (the Kafka tests' mock cluster)" \
      'apt-get install -y librdkafka-dev pkg-config gcc'
  fi
fi
# The inspector's browser test drives Debian's Chromium through playwright-core.
if [ ! -x "$chromium" ]; then
  if [ -n "${CHROMIUM_PATH:-}" ] || ! apt_install chromium || [ ! -x "$chromium" ]; then
    lack "Chromium for the inspector's browser test ($chromium)" 'apt-get install -y chromium'
  fi
fi

elapsed=$(($(date +%s%3N) - started_ms))
if [ "${#missing[@]}" -eq 0 ]; then
  echo "test-env: servers, test databases, chromium and librdkafka-dev present (${elapsed} ms)"
  exit 0
fi
{
  if [ "$fix" = 1 ]; then
    echo "test-env: these are missing and could not be installed or started:"
  else
    echo "test-env: these are missing (not installing: $([ "$(id -u)" = 0 ] && echo 'TIDINGS_ENV_FIX=0' || echo 'not root')):"
  fi
  for entry in "${missing[@]}"; do
    printf '  - %s\n      fix: %s\n' "${entry%%|*}" "${entry#*|}"
  done
  echo "test-env: run the commands above as root (after apt-get update), then npm test again."
} >&2
exit 1
