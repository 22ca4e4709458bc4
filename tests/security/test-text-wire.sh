#!/usr/bin/env bash
# Issue 8, free text from another node: the intake of the township and of the
# county applies the keyboard's checks to what arrives on a link, so a node
# that skipped them (or a forged message) cannot bring a C1 control or a bidi
# override into a store.  The outboxes are edited between the keyboard and
# the wire: the note "ZZZ" of a village case becomes U+202E, the note "QQQ"
# of a township walk-in becomes U+009B "Q" (the same length, so the message
# still decodes).  The township quarantines the first, the county the
# second; the cases after them on the same links arrive as usual.
source "$TB_SOURCE/tests/integration/lib.sh"
need_pg

export TONGBAN_BROKER=ipc://$WORK/broker.sock
COUNTY=360826000000 TOWN=360826100000 VIL=360826100001
vil() { "$V" "$@" --place $VIL --data-dir "$WORK/v" --agent 张三; }
town() { "$T" "$@" --place $TOWN --data-dir "$WORK/t" --agent 窗口李; }

# Replace bytes OLD by NEW (hex, same length) in every outbox body of DB.
tamper() {
    python3 - "$@" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
old, new = bytes.fromhex(sys.argv[2]), bytes.fromhex(sys.argv[3])
n = 0
for peer, seq, body in db.execute("SELECT peer, seq, body FROM outbox").fetchall():
    if old in body:
        db.execute("UPDATE outbox SET body = ? WHERE peer = ? AND seq = ?",
                   (body.replace(old, new), peer, seq))
        n += 1
db.commit()
print(n)
PY
}

bad_v=$(vil log --client 李四 --phone 13800138000 --item YB003 --note 住院ZZZ)
good_v=$(vil log --client 王五 --phone 13900139000 --item YB003 --note 住院)
bad_t=$(town register --client 周九 --phone 13207964444 --item GH001 --note 窗口QQQ)
good_t=$(town register --client 吴十 --phone 13307965555 --item GH001 --note 窗口)
eq "the village's outbox: one message edited" 1 "$(tamper "$WORK/v/$VIL.db" 5a5a5a e280ae)"
eq "the township's outbox: one message edited" 1 "$(tamper "$WORK/t/$TOWN.db" 515151 c29b51)"

start broker "$BROKER" serve
start county "$C" serve --place $COUNTY --db "$DB"
start town "$T" serve --place $TOWN --data-dir "$WORK/t"
start vil "$V" serve --place $VIL --data-dir "$WORK/v"

county_has() { [ "$(tb_psql "$PGDIR" -c "SELECT count(*) FROM cases WHERE case_id='$1'" 2>/dev/null)" = 1 ]; }
ok "the village's next case reaches the county" tb_wait_for 30 county_has "$good_v"
ok "the township's next walk-in reaches the county" tb_wait_for 30 county_has "$good_t"
eq "the township refused the village's bidi override: not in its store" 0 \
    "$(sqlite3 "$WORK/t/$TOWN.db" "SELECT count(*) FROM events WHERE case_id='$bad_v' AND type=1")"
ok "the township quarantined it" test "$(sqlite3 "$WORK/t/$TOWN.db" "SELECT count(*) FROM quarantine WHERE peer='$VIL'")" -ge 1
eq "the county never logged the village's bad case (its later steps alone prove nothing)" "0 0" \
    "$(tb_psql "$PGDIR" -c "SELECT count(*) FROM case_events WHERE case_id='$bad_v' AND type_name='logged'") $(tb_psql "$PGDIR" -c "SELECT count(*) FROM cases WHERE case_id='$bad_v'")"
eq "the county refused the township's C1 control: not in its store" 0 \
    "$(tb_psql "$PGDIR" -c "SELECT count(*) FROM case_events WHERE case_id='$bad_t'")"
no_bad_text() {
    ! tb_psql "$PGDIR" -c "SELECT note, client_name FROM cases" | LC_ALL=C grep -q $'\xc2\x9b\|\xe2\x80\xae'
}
ok "no C1 or bidi character in the county's cases" no_bad_text
ok "the township logged the quarantine, naming the link" grep -q "link $VIL seq 1: .*quarantined" "$WORK/town.log"
ok "the county logged the quarantine, naming the link" grep -q "link $TOWN seq .*quarantined" "$WORK/county.log"
finish
