#!/usr/bin/env bash
# Pictures of every role's workspace on the demo: brings up `make demo` (installs, loads the demo, serves it;
# idempotent), then each demo user logs in in headless Chromium and a small PNG of the workspace goes to
# docs/screenshots/ (the README shows them).
source "$(dirname "$0")/lib.sh"

SITE=${DEMO_SITE:-case.localhost}
PORT=${DEMO_PORT:-8000}
DOCS_DIR=$REPO_DIR/docs/screenshots

bash "$REPO_DIR/scripts/demo.sh"
as_bench "./env/bin/python -c 'import selenium' 2>/dev/null || ./env/bin/pip install -q selenium"
WORK=$(as_bench "mktemp -d /tmp/case-shots.XXXXXX")
trap 'as_root rm -rf "$WORK"' EXIT
log "drawing every role's workspace on http://$SITE:$PORT"
as_bench "cd apps/$APP && CASE_TEST_URL=http://$SITE:$PORT ../../env/bin/python tests/e2e/screenshots.py --out $WORK"
mkdir -p "$DOCS_DIR"
cp "$WORK"/*.png "$DOCS_DIR/"
log "screenshots: $DOCS_DIR ($(ls "$DOCS_DIR"/*.png | wc -l) PNGs)"
