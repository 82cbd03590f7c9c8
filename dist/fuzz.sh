#!/bin/sh
# fuzz.sh runs each fuzz target briefly: fuzz.sh TIME pkg:FuzzName...
#
# A real finding always leaves a reproducer under testdata/fuzz and fails
# when that input is run again as a plain test; that fails the run. The Go
# fuzzing engine also fails now and then without a finding ("context
# deadline exceeded" at the -fuzztime boundary, golang/go#51484; a worker
# "hung or terminated unexpectedly", golang/go#56238, whose written input
# passes when run again). Those are reported as engine faults, the input
# is removed, and the run goes on. The seed corpora are run by the plain
# unit tests as well, which is the deterministic gate.
set -u
time=$1; shift
GO=${GO:-go}
mkdir -p bin
faults=0
for t in "$@"; do
	pkg=${t%%:*}; fn=${t##*:}
	dir=$pkg/testdata/fuzz/$fn
	log=bin/fuzz-$fn.log
	echo "fuzz $pkg $fn ($time)"
	before=$(ls "$dir" 2>/dev/null | sort)
	if $GO test -run '^$' -fuzz "^$fn\$" -fuzztime "$time" "$pkg" >"$log" 2>&1; then
		continue
	fi
	after=$(ls "$dir" 2>/dev/null | sort)
	new=$(printf '%s\n' "$after" | grep -vxF -e "$before" | grep . || true)
	[ -n "$before" ] || new=$after
	if [ -z "$new" ]; then
		echo "  engine fault, no finding (see $log):"; tail -n 5 "$log" | sed 's/^/    /'
		faults=$((faults + 1)); continue
	fi
	real=0
	for id in $new; do
		if $GO test -count=1 -run "^$fn/$id\$" "$pkg" >>"$log" 2>&1; then
			echo "  engine fault: input $id passes when run again; removed"
			rm -f "$dir/$id"
		else
			real=1
		fi
	done
	if [ $real = 1 ]; then
		echo "  FINDING in $fn:"; cat "$log"
		exit 1
	fi
	faults=$((faults + 1))
done
[ $faults = 0 ] || echo "fuzz: $faults engine fault(s), no findings"
exit 0
