#!/bin/sh
# Cairn's check_command for upstream.conf: nginx -t only checks a whole config, so this tests the
# live nginx.conf with the freshly rendered file ($CAIRN_RENDERED) in place of upstream.conf.
#   check_command: examples/nginx/check.sh PREFIX_DIR      (nginx.conf and upstream.conf in it)
set -eu
prefix=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$prefix/nginx.conf" "$tmp/nginx.conf"
cp "$CAIRN_RENDERED" "$tmp/upstream.conf"
nginx -t -q -p "$prefix" -c "$tmp/nginx.conf"
