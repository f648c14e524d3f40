#!/bin/bash
# Initialise the cluster on first start, then run the server as `postgres` (PostgreSQL refuses root).
#
# Access: the Unix socket (/var/run/postgresql) trusts everyone; over TCP, passwords only. Without
# POSTGRES_PASSWORD the superuser has none and is refused over TCP: it comes in through the socket only
# (the tests mount the socket's folder from the host), as on the local stack (coopreg/stack/postgres.py).
set -euo pipefail

if [ "${1:-}" != postgres ]; then
  exec "$@"
fi
shift

user=${POSTGRES_USER:-postgres}
mkdir -p "$PGDATA" /var/run/postgresql
chown postgres:postgres "$PGDATA" /var/run/postgresql
chmod 0700 "$PGDATA"
chmod 0775 /var/run/postgresql

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  runuser -u postgres -- initdb -D "$PGDATA" -U "$user" -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
  {
    echo "local all all trust"
    if [ -n "${POSTGRES_PASSWORD:-}" ]; then
      echo "host all all all scram-sha-256"
    else
      echo "host all $user all reject"
      echo "host all all all scram-sha-256"
    fi
  } > "$PGDATA/pg_hba.conf"
  echo "listen_addresses = '*'" >> "$PGDATA/postgresql.conf"
  # A temporary server on the socket only, to set the password and create the database.
  runuser -u postgres -- pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -k /var/run/postgresql" -w start >/dev/null
  if [ -n "${POSTGRES_PASSWORD:-}" ]; then
    # On stdin, never in the arguments: `ps` would show it.
    printf "ALTER ROLE \"%s\" PASSWORD '%s';\n" "$user" "${POSTGRES_PASSWORD//\'/\'\'}" \
      | runuser -u postgres -- psql -h /var/run/postgresql -U "$user" -d postgres -qAt -v ON_ERROR_STOP=1 -f - >/dev/null
  fi
  db=${POSTGRES_DB:-$user}
  if [ "$db" != postgres ]; then
    runuser -u postgres -- psql -h /var/run/postgresql -U "$user" -d postgres -qAt -v ON_ERROR_STOP=1 \
      -c "CREATE DATABASE \"$db\"" >/dev/null
  fi
  runuser -u postgres -- pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
fi

# setpriv execs the server itself (runuser would stay its parent): signals reach it directly.
exec setpriv --reuid=postgres --regid=postgres --init-groups postgres -D "$PGDATA" -k /var/run/postgresql "$@"
