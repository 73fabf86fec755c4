#!/usr/bin/env bash
# Back up Duban: the PostgreSQL database (pg_dump custom format) and the uploaded documents and
# evidence under MEDIA_ROOT (a tar), into one new folder with checksums.
#
#   deploy/backup.sh [DEST_DIR]          default DEST_DIR: /srv/duban/backups
#
# DATABASE_URL and MEDIA_ROOT come from the environment or, when unset, from the env file
# ($DUBAN_ENV_FILE, default /etc/duban/duban.env). Prints the folder it wrote. Run it from
# cron or a systemd timer as the duban user, e.g. daily:  30 2 * * *  deploy/backup.sh
set -euo pipefail
umask 077

ENV_FILE=${DUBAN_ENV_FILE:-/etc/duban/duban.env}

# Read NAME=value from the env file without sourcing it (values may hold spaces and <>).
from_env_file() {
    [[ -r "$ENV_FILE" ]] || return 0
    grep -E "^$1=" "$ENV_FILE" | tail -n 1 | cut -d= -f2-
}

DATABASE_URL=${DATABASE_URL:-$(from_env_file DATABASE_URL)}
MEDIA_ROOT=${MEDIA_ROOT:-$(from_env_file MEDIA_ROOT)}
: "${DATABASE_URL:?DATABASE_URL is not set (environment or $ENV_FILE)}"
: "${MEDIA_ROOT:?MEDIA_ROOT is not set (environment or $ENV_FILE)}"
case "$DATABASE_URL" in
    postgres://*|postgresql://*) ;;
    *) echo "backup.sh: DATABASE_URL must be a PostgreSQL URL" >&2; exit 2 ;;
esac

DEST_DIR=${1:-/srv/duban/backups}
target="$DEST_DIR/duban-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$target.partial"

# Custom format: compressed, and pg_restore can restore it selectively or in parallel.
pg_dump --format=custom --no-owner --no-privileges --file "$target.partial/database.dump" \
    --dbname "$DATABASE_URL"

mkdir -p "$MEDIA_ROOT"
tar --create --gzip --file "$target.partial/uploads.tar.gz" --directory "$MEDIA_ROOT" .

(cd "$target.partial" && sha256sum database.dump uploads.tar.gz > SHA256SUMS)
# Only a complete backup gets its final name.
mv "$target.partial" "$target"
echo "$target"
