#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests, in a temporary directory, on a loopback port.
#
#   scripts/pg-test-cluster.sh run -- CMD ARGS…   start it, run CMD with TANDEM_TEST_POSTGRES set
#                                                to its URL, stop it and remove it; exit as CMD
#   scripts/pg-test-cluster.sh start DIR         start one in DIR (created); print its URL
#   scripts/pg-test-cluster.sh stop DIR          stop it and remove DIR
#
# The server binaries are PostgreSQL's (pg_config --bindir, or Debian's /usr/lib/postgresql/N/bin).
# When there are none and we are root on Debian, `postgresql` is installed (apt-get). initdb
# refuses to run as root, so as root the cluster belongs to the user `nobody`. The server runs
# with fsync off: it is thrown away. When it cannot start, `run` still runs CMD, without the
# variable, and the tests that need PostgreSQL say why they skip (TANDEM_TEST_POSTGRES_ERROR).
set -euo pipefail

bindir() {
	local d
	if command -v pg_config >/dev/null 2>&1; then
		d=$(pg_config --bindir 2>/dev/null || true)
		[ -x "$d/initdb" ] && { echo "$d"; return; }
	fi
	for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
		[ -x "$d/initdb" ] && { echo "$d"; return; }
	done
	return 1
}

install() {
	bindir >/dev/null && return
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		echo "pg-test-cluster: installing Debian's postgresql…" >&2
		{ apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql; } >&2
	fi
	bindir >/dev/null
}

# as runs its arguments as the cluster's owner: ourselves, or nobody when we are root.
as() {
	if [ "$(id -u)" = 0 ]; then runuser -u nobody -- "$@"; else "$@"; fi
}

freeport() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null ||
		echo $((20000 + RANDOM % 20000))
}

start() {
	local dir=$1 bin port
	install || { echo "no PostgreSQL server binaries (initdb) found or installable" >&2; return 1; }
	bin=$(bindir)
	mkdir -p "$dir"
	[ "$(id -u)" = 0 ] && chown nobody "$dir" && chmod 700 "$dir"
	as "$bin/initdb" -D "$dir/data" -U tandem -A trust -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 ||
		{ cat "$dir/initdb.log" >&2; return 1; }
	for _ in 1 2 3; do
		port=$(freeport)
		if as "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 start \
			-o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300 -c shared_buffers=64MB" >/dev/null; then
			echo "$port" >"$dir/port"
			echo "postgres://tandem@127.0.0.1:$port/postgres?sslmode=disable"
			return 0
		fi
	done
	cat "$dir/server.log" >&2
	return 1
}

stop() {
	local dir=$1 bin
	if [ -f "$dir/data/postmaster.pid" ] && bin=$(bindir); then
		as "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
	fi
	rm -rf "$dir"
}

case "${1:-}" in
start) start "$2" ;;
stop) stop "$2" ;;
run)
	shift
	[ "${1:-}" = "--" ] && shift
	if [ -n "${TANDEM_TEST_POSTGRES:-}" ]; then exec "$@"; fi
	dir=$(mktemp -d /tmp/tandem-pg.XXXXXX)
	trap 'stop "$dir"' EXIT
	t0=$(date +%s%N)
	if url=$(start "$dir" 2>"$dir.err"); then
		echo "pg-test-cluster: PostgreSQL $("$(bindir)/postgres" --version | awk '{print $3}') at $url (started in $((($(date +%s%N) - t0) / 1000000)) ms)" >&2
		export TANDEM_TEST_POSTGRES=$url
	else
		export TANDEM_TEST_POSTGRES_ERROR="the throwaway PostgreSQL did not start: $(tail -n 5 "$dir.err" | tr '\n' ' ')"
		echo "pg-test-cluster: $TANDEM_TEST_POSTGRES_ERROR" >&2
	fi
	rm -f "$dir.err"
	status=0
	"$@" || status=$?
	exit $status
	;;
*)
	sed -n '2,13p' "$0" >&2
	exit 2
	;;
esac
