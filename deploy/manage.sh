#!/usr/bin/env bash
# Run manage.py with the production environment file loaded, e.g.
#   deploy/manage.sh migrate --noinput      deploy/manage.sh createsuperuser
# The env file is $DUBAN_ENV_FILE (default /etc/duban/duban.env); it is read line by line,
# never sourced, so values may hold spaces and <>.
set -euo pipefail
ENV_FILE=${DUBAN_ENV_FILE:-/etc/duban/duban.env}
cd "$(dirname "$0")/.."
while IFS= read -r line || [[ -n "$line" ]]; do
    if [[ "$line" =~ ^[A-Z][A-Z0-9_]*= ]]; then
        export "$line"
    fi
done < "$ENV_FILE"
exec "${DUBAN_PYTHON:-.venv/bin/python}" manage.py "$@"
