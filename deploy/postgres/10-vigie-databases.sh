#!/bin/sh
# Run once by the postgres image, on an empty data volume only
# (/docker-entrypoint-initdb.d). Creates two roles without any privilege
# beyond their own database:
#   - VIGIE_DB_USER owns VIGIE_DB_NAME: declarations and outbox (alembic, DATABASE_URL);
#   - VIGIE_TRACKER_DB_USER owns VIGIE_TRACKER_DB_NAME: Rasa's conversations.
# Passwords come from the container's environment (deploy/docker-compose.yml);
# psql's :'var' quoting accepts any character in them.
# Executable, so that the image runs it rather than sourcing it into its own
# shell. The same script is in deploy/k8s/optional/postgres-statefulset.yaml.
set -e

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
     -v app_user="$VIGIE_DB_USER" -v app_password="$VIGIE_DB_PASSWORD" -v app_db="$VIGIE_DB_NAME" \
     -v tracker_user="$VIGIE_TRACKER_DB_USER" -v tracker_password="$VIGIE_TRACKER_DB_PASSWORD" \
     -v tracker_db="$VIGIE_TRACKER_DB_NAME" <<'SQL'
CREATE ROLE :"app_user" LOGIN PASSWORD :'app_password';
CREATE ROLE :"tracker_user" LOGIN PASSWORD :'tracker_password';
CREATE DATABASE :"app_db" OWNER :"app_user";
CREATE DATABASE :"tracker_db" OWNER :"tracker_user";
REVOKE ALL ON DATABASE :"app_db" FROM PUBLIC;
REVOKE ALL ON DATABASE :"tracker_db" FROM PUBLIC;
SQL
