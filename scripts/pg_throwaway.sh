#!/usr/bin/env bash
# A throwaway PostgreSQL server for tests and benchmarks: Debian's postgresql, run as the
# `postgres` user (initdb refuses root), data in a temp folder, on a free loopback port.
#   scripts/pg_throwaway.sh start   -> prints a postgresql:// URL (the server keeps running)
#   scripts/pg_throwaway.sh stop DIR
#   scripts/pg_throwaway.sh down DIR / up DIR   -> stop and start the same server (fault tests)
# Installs Debian's postgresql with apt-get when it is missing.
set -euo pipefail
bindir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }
case "${1:-}" in
start)
    if [ -z "$(bindir)" ]; then
        apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
    fi
    BIN="$(bindir)"
    DIR="$(mktemp -d /tmp/pdcore-pg.XXXXXX)"
    chown postgres "$DIR" 2>/dev/null || true
    PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    AS=(); [ "$(id -u)" = 0 ] && AS=(runuser -u postgres --)
    "${AS[@]}" "$BIN/initdb" -D "$DIR/data" -U postgres -A trust --no-sync -E UTF8 >"$DIR/initdb.log" 2>&1
    echo "$PORT" >"$DIR/port"
    "$0" up "$DIR"
    echo "postgresql://postgres@127.0.0.1:$PORT/postgres $DIR"
    ;;
up)
    DIR="$2"; BIN="$(bindir)"; PORT="$(cat "$DIR/port")"
    AS=(); [ "$(id -u)" = 0 ] && AS=(runuser -u postgres --)
    "${AS[@]}" "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -o \
        "-p $PORT -c listen_addresses=127.0.0.1 -k $DIR -c fsync=off -c full_page_writes=off -c max_connections=300" \
        start >&2
    ;;
down)
    DIR="$2"; BIN="$(bindir)"
    AS=(); [ "$(id -u)" = 0 ] && AS=(runuser -u postgres --)
    "${AS[@]}" "$BIN/pg_ctl" -D "$DIR/data" -m immediate -w stop >&2
    ;;
stop)
    DIR="$2"; BIN="$(bindir)"
    AS=(); [ "$(id -u)" = 0 ] && AS=(runuser -u postgres --)
    "${AS[@]}" "$BIN/pg_ctl" -D "$DIR/data" -m immediate -w stop >&2 || true
    rm -rf "$DIR"
    ;;
*) echo "usage: $0 start | stop DIR | down DIR | up DIR" >&2; exit 2 ;;
esac
