#!/usr/bin/env bash
# make check: every route of every program's table (fcgi-apps/*/*.c, tests/bench/*.c) names
# who may call it, ROUTE_PUBLIC or ROLE_* bits, before its flags:
# { method, pattern, handler, roles, flags }. The dispatcher checks those roles
# (shared/web/route.c); a route written without them (four fields) or with anything else in
# their place fails here.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
roles='(ROUTE_PUBLIC|ROLE_[A-Z]+( \| ROLE_[A-Z]+)*)'
entry='^[[:space:]]*\{ "[A-Z]+", "[^"]*", [a-z_0-9]+, '"$roles"', [A-Z_0-9| ]+ \},[[:space:]]*$'
bad=0 tables=0
for f in fcgi-apps/*/*.c tests/bench/*.c; do
	grep -q 'struct route [a-z_]*\[\] = {' "$f" || continue
	tables=$((tables + 1))
	n=0
	while IFS=: read -r line text; do
		if [[ $text =~ $entry ]]; then
			n=$((n + 1))
		else
			echo "$f:$line: a route without its roles (ROUTE_PUBLIC or ROLE_*): $text"; bad=1
		fi
	done < <(awk '/struct route [a-z_]*\[\] = \{/ { t = 1; next }
		      t && /^};/ { t = 0 }
		      t && !/^[[:space:]]*(\/\*.*)?$/ && !/^[[:space:]]*\*/ { print FNR ":" $0 }' "$f")
	[ "$n" -gt 0 ] || { echo "$f: a route table with no route this check understands"; bad=1; }
done
[ "$tables" -gt 0 ] || { echo "no route table found in fcgi-apps/"; bad=1; }
exit $bad
