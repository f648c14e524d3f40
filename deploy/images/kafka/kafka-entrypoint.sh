#!/bin/bash
# KAFKA_* variables to server.properties (as the official apache/kafka image reads them), the storage
# formatted once with CLUSTER_ID, then the broker in the foreground.
set -euo pipefail

props=/opt/kafka/config/server.properties
rm -f /opt/kafka/config/started.log
: > "$props"
while IFS='=' read -r name value; do
  case "$name" in
    KAFKA_HEAP_OPTS|KAFKA_OPTS|KAFKA_JVM_PERFORMANCE_OPTS|KAFKA_LOG4J_OPTS) continue ;;
    KAFKA_*)
      key=${name#KAFKA_}
      key=${key//___/-}
      key=${key//__/@}
      key=${key//_/.}
      key=${key//@/_}
      printf '%s=%s\n' "${key,,}" "$value" >> "$props" ;;
  esac
done < <(env)

cp="/opt/kafka/libs/*"
log_dirs=$(sed -n 's/^log\.dirs=//p' "$props")
if [ -n "$log_dirs" ] && [ ! -f "${log_dirs%%,*}/meta.properties" ]; then
  java -cp "$cp" kafka.tools.StorageTool format -t "${CLUSTER_ID:?set CLUSTER_ID (a base64 UUID)}" -c "$props" >/dev/null
fi

# shellcheck disable=SC2086  # the options are words
exec java -server ${KAFKA_HEAP_OPTS:--Xms512m -Xmx512m} -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
  -Dlog4j2.configurationFile=/opt/kafka/config/log4j2.properties ${KAFKA_OPTS:-} -cp "$cp" kafka.Kafka "$props"
