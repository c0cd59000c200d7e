#!/usr/bin/env bash
# Make the local PostgreSQL 15 cluster preload pg_stat_statements and pg_qualstats (needed by
# `maintainer queries` and its tests). Idempotent: the cluster restarts only when the setting
# changed. Run as root on a machine whose cluster is managed by pg_ctlcluster (Debian).
set -euo pipefail
wanted=(pg_stat_statements pg_qualstats)
psql_admin() { psql -h 127.0.0.1 -U postgres -d postgres -Atqc "$1"; }
current=$(psql_admin "SHOW shared_preload_libraries")
IFS=', ' read -r -a have <<<"$current"
libraries=()
for library in "${have[@]}"; do [[ -n "$library" ]] && libraries+=("$library"); done
changed=0
for library in "${wanted[@]}"; do
    if [[ " ${libraries[*]} " != *" $library "* ]]; then
        libraries+=("$library")
        changed=1
    fi
done
if ((changed)); then
    # A list setting: one quoted name per library ('a', 'b'); 'a,b' would name one file "a,b".
    quoted=$(printf "'%s', " "${libraries[@]}")
    psql_admin "ALTER SYSTEM SET shared_preload_libraries = ${quoted%, }"
    # the cluster serving port 5432 (Debian: "15 main")
    read -r version name < <(pg_lsclusters -h | awk '$3 == 5432 {print $1, $2; exit}')
    pg_ctlcluster "$version" "$name" restart
    for _ in $(seq 1 30); do
        psql_admin "SELECT 1" >/dev/null 2>&1 && break
        sleep 1
    done
fi
psql_admin "SHOW shared_preload_libraries"
