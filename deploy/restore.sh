#!/usr/bin/env bash
# Restore a Duban backup written by deploy/backup.sh into DATABASE_URL and MEDIA_ROOT.
#
#   deploy/restore.sh BACKUP_DIR [--clean]
#
# The target database must exist and be empty (createdb duban), unless --clean is given:
# then existing Duban tables are dropped first. Stop duban-web, duban-worker and duban-beat
# before restoring, run `manage.py migrate` after (a backup from an older release is then
# brought up to date), and start them again.
set -euo pipefail

ENV_FILE=${DUBAN_ENV_FILE:-/etc/duban/duban.env}
from_env_file() {
    [[ -r "$ENV_FILE" ]] || return 0
    grep -E "^$1=" "$ENV_FILE" | tail -n 1 | cut -d= -f2-
}

BACKUP_DIR=${1:?usage: restore.sh BACKUP_DIR [--clean]}
CLEAN=${2:-}
DATABASE_URL=${DATABASE_URL:-$(from_env_file DATABASE_URL)}
MEDIA_ROOT=${MEDIA_ROOT:-$(from_env_file MEDIA_ROOT)}
: "${DATABASE_URL:?DATABASE_URL is not set (environment or $ENV_FILE)}"
: "${MEDIA_ROOT:?MEDIA_ROOT is not set (environment or $ENV_FILE)}"

# A damaged or incomplete backup is refused before anything is touched.
(cd "$BACKUP_DIR" && sha256sum --check --quiet SHA256SUMS)

tables=$(psql --dbname "$DATABASE_URL" --no-psqlrc --tuples-only --no-align --command \
    "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
options=(--no-owner --no-privileges --exit-on-error --single-transaction)
if [[ "$tables" != "0" ]]; then
    if [[ "$CLEAN" != "--clean" ]]; then
        echo "restore.sh: the target database is not empty ($tables tables); use an empty" \
             "database or pass --clean" >&2
        exit 3
    fi
    options+=(--clean --if-exists)
fi
pg_restore "${options[@]}" --dbname "$DATABASE_URL" "$BACKUP_DIR/database.dump"

mkdir -p "$MEDIA_ROOT"
tar --extract --gzip --file "$BACKUP_DIR/uploads.tar.gz" --directory "$MEDIA_ROOT" \
    --no-same-owner
echo "restored $BACKUP_DIR into the database and $MEDIA_ROOT"
