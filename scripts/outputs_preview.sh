#!/usr/bin/env bash
# Pictures of the official outputs for people to look at: a sample 附件1, 附件2 and casebook rendered through
# the real print path on a site of its own, a PNG of every page (pdftoppm) in build/outputs-preview/, and
# page 1 of each in docs/outputs/ (the README shows them). Idempotent; reuses the bench and the site.
source "$(dirname "$0")/lib.sh"

PREVIEW_SITE=${PREVIEW_SITE:-case-preview.localhost}
PREVIEW_PORT=${PREVIEW_PORT:-8012}
OUT_DIR=${OUT_DIR:-$REPO_DIR/build/outputs-preview}
DOCS_DIR=$REPO_DIR/docs/outputs
PAGE_DPI=${PAGE_DPI:-60}  # every page, to look at
DOCS_DPI=${DOCS_DPI:-45}  # page 1 for the README, kept small

ensure_packages
ensure_mariadb
ensure_bench
start_redis
install_checkout
ensure_site "$PREVIEW_SITE" "$PREVIEW_PORT"
queue_mail_unsent "$PREVIEW_SITE"

WORK=$(as_bench "mktemp -d /tmp/case-preview.XXXXXX")
trap 'as_root rm -rf "$WORK"' EXIT
log "rendering the sample outputs on $PREVIEW_SITE"
as_bench "cd sites && ../env/bin/python ../apps/$APP/scripts/outputs_preview.py --site $PREVIEW_SITE --out $WORK"

mkdir -p "$OUT_DIR" "$DOCS_DIR"
rm -f "$OUT_DIR"/*.png
for name in annex1 annex2 casebook; do
	cp "$WORK/$name.pdf" "$OUT_DIR/$name.pdf"
	pdftoppm -r "$PAGE_DPI" -png "$OUT_DIR/$name.pdf" "$OUT_DIR/$name"
	pdftoppm -r "$DOCS_DPI" -png -f 1 -l 1 -singlefile "$OUT_DIR/$name.pdf" "$DOCS_DIR/$name-page1"
done
log "every page: $OUT_DIR ($(ls "$OUT_DIR"/*.png | wc -l) PNGs); page 1 of each: $DOCS_DIR"
