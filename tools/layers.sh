#!/usr/bin/env bash
# make check: the shared library's layers. Each folder of shared/ is a layer; a file includes
# only headers of its own layer and the layers below it, always as "layer/name.h", and the
# modules (a file's name without .c/.h) form no cycle.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
layers=(base crypto db ext media domain web)
declare -A rank
for i in "${!layers[@]}"; do rank[${layers[$i]}]=$i; done
bad=0
edges=$(mktemp)
trap 'rm -f "$edges"' EXIT

for f in shared/*; do
	[ -d "$f" ] && [ -n "${rank[$(basename "$f")]+x}" ] && continue
	echo "$f: not in a layer (${layers[*]})"; bad=1
done
for f in shared/*/*.[ch]; do
	layer=$(basename "$(dirname "$f")")
	stem=$(basename "${f%.*}")
	while IFS= read -r inc; do
		if [[ $inc != */* ]]; then
			echo "$f: #include \"$inc\" names no layer (write \"layer/$inc\")"; bad=1; continue
		fi
		to=${inc%%/*}
		if [ -z "${rank[$to]+x}" ]; then
			echo "$f: #include \"$inc\": no layer $to"; bad=1
		elif [ "${rank[$to]}" -gt "${rank[$layer]}" ]; then
			echo "$f: $layer includes $inc from $to, a layer above it"; bad=1
		fi
		dep=$(basename "${inc%.h}")
		[ "$dep" != "$stem" ] && echo "$stem $dep" >>"$edges"
	done < <(sed -n 's/^#include "\(.*\)"/\1/p' "$f")
done
if ! sort -u "$edges" | tsort >/dev/null 2>"$edges.err"; then
	echo "shared/ has an include cycle:"; sed 's/^/  /' "$edges.err"; bad=1
fi
rm -f "$edges.err"
# The programs, tests and tools name the layer too.
stems=$(for h in shared/*/*.h; do basename "${h%.h}"; done | paste -sd'|')
if grep -nE "^#include \"($stems)\.h\"" \
	$(git ls-files 'fcgi-apps/*.c' 'fcgi-apps/*.h' 'tests/*.c' 'tests/*.h' 'tools/*.c' 'tools/*.h') |
	while IFS=: read -r file line rest; do
		[ -e "$(dirname "$file")/$(sed 's/#include "\(.*\)"/\1/' <<<"$rest")" ] || echo "$file:$line: $rest"
	done | grep .; then
	echo "a shared header included without its layer"; bad=1
fi
[ $bad -eq 0 ] && echo "layers: ${layers[*]}: ok"
exit $bad
