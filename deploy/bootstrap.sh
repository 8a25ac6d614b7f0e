#!/usr/bin/env bash
# Local set-up shared by `make run` and `make test`. Idempotent and non-destructive:
#   - installs postgresql, redis-server and ffmpeg with apt when they are missing;
#   - starts PostgreSQL and Redis when they are not running;
#   - creates the database role (with CREATEDB, for the test database) and the database;
#   - creates the audit table's owner role (NOLOGIN) and the function that hands the table to it;
#   - creates .venv and installs the pinned dependencies when requirements.lock changed.
# A second run does nothing that takes time.
set -euo pipefail
cd "$(dirname "$0")/.."

DB_NAME=${GREENLIGHT_DB_NAME:-greenlight}
DB_USER=${GREENLIGHT_DB_USER:-greenlight}
DB_PASSWORD=${GREENLIGHT_DB_PASSWORD:-greenlight}
PYTHON=${PYTHON:-python3.11}
EXTRA_APT=${EXTRA_APT:-}

say() { printf '\033[1;32m[setup]\033[0m %s\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi; }

# ---------------------------------------------------------------- system packages
missing=()
command -v pg_ctlcluster >/dev/null 2>&1 || [ -x /usr/bin/pg_ctlcluster ] || missing+=(postgresql)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v ffmpeg >/dev/null 2>&1 && command -v ffprobe >/dev/null 2>&1 || missing+=(ffmpeg)
for pkg in $EXTRA_APT; do
  case "$pkg" in
    chromium) command -v chromium >/dev/null 2>&1 || missing+=(chromium) ;;
    nodejs) command -v node >/dev/null 2>&1 || missing+=(nodejs npm) ;;
    *) dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg") ;;
  esac
done
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
if ! "$PYTHON" -c 'import venv, ensurepip' >/dev/null 2>&1; then missing+=(python3-venv); fi
if [ ${#missing[@]} -gt 0 ]; then
  say "installing with apt: ${missing[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# ---------------------------------------------------------------- PostgreSQL
pg_up() { pg_isready -q -h 127.0.0.1 -p 5432 >/dev/null 2>&1; }
if ! pg_up; then
  say "starting PostgreSQL"
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || as_root pg_ctlcluster "$version" main start
  for _ in $(seq 1 30); do pg_up && break; sleep 0.5; done
  pg_up || { echo "PostgreSQL did not start; see /var/log/postgresql/" >&2; exit 1; }
fi
role_exists=$(as_postgres psql -tAc "SELECT 1 FROM pg_roles WHERE rolname='${DB_USER}'" 2>/dev/null || true)
if [ "$role_exists" != "1" ]; then
  say "creating database role ${DB_USER}"
  as_postgres psql -q -c "CREATE ROLE ${DB_USER} LOGIN PASSWORD '${DB_PASSWORD}' CREATEDB"
else
  as_postgres psql -q -c "ALTER ROLE ${DB_USER} CREATEDB" >/dev/null
fi
db_exists=$(as_postgres psql -tAc "SELECT 1 FROM pg_database WHERE datname='${DB_NAME}'" 2>/dev/null || true)
if [ "$db_exists" != "1" ]; then
  say "creating database ${DB_NAME}"
  as_postgres createdb -O "${DB_USER}" "${DB_NAME}"
fi

# ---------------------------------------------------------------- the audit table's owner
# The web and workers log in as ${DB_USER}; the audit table belongs to ${AUDIT_OWNER}, whom nobody
# logs in as, so the application can insert and read audit rows but not TRUNCATE the table, disable
# or replace its triggers (docs/OPERATIONS.md, "Audit"). Migration audit/0004 calls
# greenlight_audit_adopt(); it is called here too, for a database migrated before it existed.
AUDIT_OWNER=${GREENLIGHT_AUDIT_OWNER:-greenlight_audit}
owner_exists=$(as_postgres psql -tAc "SELECT 1 FROM pg_roles WHERE rolname='${AUDIT_OWNER}'" 2>/dev/null || true)
if [ "$owner_exists" != "1" ]; then
  say "creating the audit owner role ${AUDIT_OWNER} (no login)"
  as_postgres psql -q -c "CREATE ROLE ${AUDIT_OWNER} NOLOGIN"
fi
as_postgres psql -q -d "${DB_NAME}" -v ON_ERROR_STOP=1 >/dev/null <<SQL
CREATE OR REPLACE FUNCTION public.greenlight_audit_adopt() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS \$\$
DECLARE seq text;
BEGIN
  IF to_regclass('public.audit_auditevent') IS NULL THEN
    RETURN;
  END IF;
  ALTER TABLE public.audit_auditevent OWNER TO ${AUDIT_OWNER};
  IF to_regprocedure('public.audit_event_forbid_change()') IS NOT NULL THEN
    ALTER FUNCTION public.audit_event_forbid_change() OWNER TO ${AUDIT_OWNER};
  END IF;
  IF to_regprocedure('public.audit_event_forbid_truncate()') IS NOT NULL THEN
    ALTER FUNCTION public.audit_event_forbid_truncate() OWNER TO ${AUDIT_OWNER};
  END IF;
  REVOKE ALL ON public.audit_auditevent FROM ${DB_USER};
  GRANT SELECT, INSERT ON public.audit_auditevent TO ${DB_USER};
  seq := pg_get_serial_sequence('public.audit_auditevent', 'id');
  IF seq IS NOT NULL THEN
    EXECUTE format('GRANT USAGE, SELECT ON SEQUENCE %s TO ${DB_USER}', seq);
  END IF;
END \$\$;
REVOKE ALL ON FUNCTION public.greenlight_audit_adopt() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION public.greenlight_audit_adopt() TO ${DB_USER};
SELECT public.greenlight_audit_adopt();
SQL

# ---------------------------------------------------------------- Redis
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  say "starting Redis"
  mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /tmp --logfile /tmp/greenlight-redis.log
  for _ in $(seq 1 20); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.25; done
fi

# ---------------------------------------------------------------- Python environment
if [ ! -x .venv/bin/python ]; then
  say "creating .venv with $("$PYTHON" --version)"
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.greenlight-installed
if [ ! -f "$stamp" ] || ! cmp -s requirements.lock "$stamp"; then
  say "installing pinned dependencies (requirements.lock)"
  find_links=()
  [ -d /opt/wheels ] && find_links=(--find-links /opt/wheels)
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip >/dev/null
  .venv/bin/python -m pip install -q --disable-pip-version-check "${find_links[@]}" -r requirements.lock
  cp requirements.lock "$stamp"
fi
say "environment ready"
