#!/usr/bin/env bash
# Rebuild docs/brief-html.png, docs/brief-svg.png and docs/site-index(-fr).png: the brief and the public site for the real events of SAMPLE-EVENTS.md,
# in a scratch database, drawn by headless Chromium. Run from the repository root with the venv active.
set -euo pipefail
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export POLICYTRACK_DB="$work/docs.db" POLICYTRACK_CONFIG="$work/config.toml" POLICYTRACK_ANALYST=docs
export MPLCONFIGDIR="$work/mpl" HOME="$work/home"
mkdir -p "$HOME"
pt() { policytrack "$@" >/dev/null; }
pt log diversify "France and its European partners announce the withdrawal of Operation Barkhane and Task Force Takuba from Mali" \
    --date 2022-02-17 --effect -1 --grade A1 --source "Joint declaration of France and partners, Elysee, 17 Feb 2022"
pt log diversify "UN Security Council resolution 2690 ends MINUSMA's mandate at the transitional government's request" \
    --date 2023-06-30 --effect -1 --grade A1 --source "UN Security Council resolution 2690 (2023)"
pt log regional "Mali, Burkina Faso and Niger announce their withdrawal from ECOWAS" \
    --date 2024-01-28 --effect -2 --grade A1 --source "Joint communique of the three governments, 28 Jan 2024"
pt log regional "Mali, Burkina Faso and Niger sign the treaty of the Confederation of Sahel States (AES) in Niamey" \
    --date 2024-07-06 --effect 1 --grade A1 --status commitment --source "AES treaty, Niamey, 6 Jul 2024"
pt target regional substantial --by 2026-12 --from 2024-01-01
pt target diversify commitment --by 2024-06 --from 2023-01-01
policytrack report --since 2022-01-01 --format html --explain -o "$work/brief.html" >/dev/null
policytrack report --since 2022-01-01 --format svg -o "$work/brief.svg" >/dev/null
policytrack publish "$work/public" --site --lang en --lang fr >/dev/null
shot() {
    chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
        --disable-component-update --disable-sync --hide-scrollbars --user-data-dir="$work/profile" \
        --window-size="$3" --screenshot="$2" "file://$1" 2>/dev/null
}
shot "$work/brief.html" docs/brief-html.png 1100,2200
shot "$work/brief.svg" docs/brief-svg.png 780,2000
shot "$work/public/site/en/index.html" docs/site-index.png 1100,1600
shot "$work/public/site/fr/index.html" docs/site-index-fr.png 1100,1600
