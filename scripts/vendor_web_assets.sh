#!/usr/bin/env bash
# Re-vendor the browser assets of the web UI from npm (pinned versions) into
# src/globewire/web/static/vendor/, together with each package's LICENSE.
# Needs `npm` and network access to the npm registry. Run from anywhere.
set -euo pipefail

PKGS=(d3-array@3.2.5 d3-geo@3.1.2 topojson-client@3.1.0 world-atlas@2.0.2)

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="$root/src/globewire/web/static/vendor"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

cd "$tmp"
for spec in "${PKGS[@]}"; do
  npm pack --silent "$spec" >/dev/null
done

mkdir -p "$dest"
for tgz in *.tgz; do
  name="${tgz%-*.tgz}"              # d3-geo-3.1.2.tgz -> d3-geo
  mkdir -p "x/$name"
  tar xzf "$tgz" -C "x/$name"
  pkg="x/$name/package"
  version="$(node -p "require('./$pkg/package.json').version")"
  case "$name" in
    world-atlas) cp "$pkg/countries-110m.json" "$dest/countries-110m.json" ;;
    *) cp "$pkg/dist/$name.min.js" "$dest/$name.min.js" ;;
  esac
  cp "$pkg/LICENSE" "$dest/LICENSE.$name"
  echo "$name $version" >> "$tmp/versions.txt"
done
sort "$tmp/versions.txt" > "$dest/VERSIONS.txt"
echo "vendored into $dest:"
cat "$dest/VERSIONS.txt"
