# Sourced by the restore tests (after lib.sh and one-of-each.sh): whether a
# restored store learned the county's order of a case (StatusUpdate.folded
# in the restore answer, positions 1..version).
#
# order_county CASE: "<version> <version>" then the ids of the case's folded
# events in the county's order (a REJECTED takes no position).
order_county() {
    local v
    v=$(tb_psql "$PGDIR" -c "SELECT version FROM cases WHERE case_id='$1'")
    echo "$v $v"
    tb_psql "$PGDIR" -c "SELECT string_agg(origin_node || '/' || origin_seq, ' ' ORDER BY id) FROM case_events WHERE case_id='$1' AND folded AND type <> 18"
}
# order_store DB CASE: "<positions held> <highest position>" then the ids by position.
order_store() {
    sqlite3 "$1" "SELECT count(*) || ' ' || coalesce(max(pos), 0) FROM case_order WHERE case_id='$2';
        SELECT group_concat(id, ' ') FROM (SELECT origin_node || '/' || origin_seq AS id FROM case_order WHERE case_id='$2' ORDER BY pos)"
}
# The SHA-256 of a case's fold at the county and in a store.
fold_county() { tb_psql "$PGDIR" -c "SELECT encode(sha256(fold), 'hex') FROM cases WHERE case_id='$1'"; }
fold_store() { sqlite3 "$1" "SELECT lower(hex(fold)) FROM cases WHERE case_id='$2'" | xxd -r -p | sha256sum | cut -c1-64; }
# restored_order DB CASE...: each case's positions 1..version and fold are the county's.
restored_order() {
    local db=$1 k
    shift
    for k in "$@"; do
        eq "restored $k: positions 1..version in the county's order" "$(order_county "$k")" "$(order_store "$db" "$k")"
        eq "restored $k: the fold is the county's" "$(fold_county "$k")" "$(fold_store "$db" "$k")"
    done
}
