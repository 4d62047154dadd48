#!/bin/sh
# Builds packages/kafka/peer/mockkafka (librdkafka's mock cluster) for the Kafka integration
# tests. Idempotent: installs librdkafka-dev only when pkg-config cannot find it (needs root),
# rebuilds only when the binary is missing or older than its source. The tests start the
# binary themselves (random ports, dies with its parent), so nothing stays running.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
peer="$root/packages/kafka/peer"
if ! pkg-config --exists rdkafka; then
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq librdkafka-dev
fi
if [ ! -x "$peer/mockkafka" ] || [ "$peer/mockkafka.c" -nt "$peer/mockkafka" ]; then
  # shellcheck disable=SC2046
  gcc -O2 -o "$peer/mockkafka" "$peer/mockkafka.c" $(pkg-config --cflags --libs rdkafka)
fi
echo "mockkafka ready: $peer/mockkafka"
