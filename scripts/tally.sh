# Sourced by the check scripts: reads the "P passed, F failed" summaries that
# every runner of this project prints.

# tally PREFIX FILE: prints "P F" from the last line of FILE that reads
# "PREFIX: P passed, F failed" (with PREFIX empty: a bare "P passed, F failed"),
# or "0 1" when FILE has no such line: a runner that did not finish failed.
tally() {
	local re line
	if [ -n "$1" ]; then
		re="^$1: [0-9]+ passed, [0-9]+ failed"
	else
		re='^[0-9]+ passed, [0-9]+ failed$'
	fi
	line=$(grep -E "$re" "$2" 2>/dev/null | tail -n1)
	if [ -z "$line" ]; then
		echo "0 1"
		return
	fi
	echo "$line" | sed -E 's/^(.*[ :])?([0-9]+) passed, ([0-9]+) failed.*/\2 \3/'
}
