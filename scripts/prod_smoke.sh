#!/usr/bin/env bash
# Smoke test of the production bring-up, through nginx (see tests/prod/smoke.py). Called at the end of
# scripts/prod.sh; on its own: `make prod-smoke` with the same PROD_* variables.
source "$(dirname "$0")/lib.sh"

PROD_SITE=${PROD_SITE:-case-prod.localhost}
PROD_HTTP_PORT=${PROD_HTTP_PORT:-80}
PROD_SMOKE_SITE=${PROD_SMOKE_SITE:-smoke-$PROD_SITE}
PROD_SMOKE_PORT=${PROD_SMOKE_PORT:-$((PROD_HTTP_PORT + 1))}
SMOKE="../env/bin/python ../apps/$APP/tests/prod/smoke.py"

install_checkout  # the smoke script runs from the bench copy
log "smoke test through nginx: $PROD_SITE:$PROD_HTTP_PORT and $PROD_SMOKE_SITE:$PROD_SMOKE_PORT"
assert_serves "$PROD_SITE" "http://$PROD_SITE:$PROD_HTTP_PORT"
assert_serves "$PROD_SMOKE_SITE" "http://$PROD_SMOKE_SITE:$PROD_SMOKE_PORT"
data=$(as_bench "cd sites && $SMOKE prepare --site $PROD_SMOKE_SITE" | tail -n1)
as_bench "cd sites && $SMOKE run --url http://$PROD_SMOKE_SITE:$PROD_SMOKE_PORT \
	--site-url http://$PROD_SITE:$PROD_HTTP_PORT --admin-password '$ADMIN_PASSWORD' --data '$data'"
