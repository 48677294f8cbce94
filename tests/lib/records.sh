# Reading a log's records in test scripts: always through the project's reader
# (tools/fpulab-log --json) and jq, never with a regex over the raw JSON (sourced; run
# from the repository root).

# records LOG: the log's records as JSON Lines, whatever the log's status.
records() {
	{ tools/fpulab-log --json "$1" 2>/dev/null || true; }
}

# record_count LOG KIND JQ: how many records of KIND meet the jq condition.
record_count() {
	records "$1" | jq -s --arg kind "$2" "map(select(.kind == \$kind) | select(try ($3) catch false)) | length"
}

# has_record LOG KIND JQ: some record of KIND meets the jq condition.
has_record() {
	[ "$(record_count "$@")" -gt 0 ]
}

# first_record LOG KIND: the first record of KIND as one line ("null" when none).
first_record() {
	records "$1" | jq -c -s --arg kind "$2" 'map(select(.kind == $kind))[0]'
}
