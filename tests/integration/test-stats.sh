#!/usr/bin/env bash
# Statistics (issue 11): `tongban-county report` over a fixed scenario around
# the 2026 National Day holiday (tests/integration/stats-national-day-2026.sql), every
# figure checked against the numbers worked out by hand in that file's
# comments; the CSV; and every refused request (exit 1, the words, nothing
# written).
source "$(dirname "$0")/lib.sh"
need_pg
COUNTY=360826000000 TOWN=360826100000 TOWN2=360826102000
export TONGBAN_PLACE=$COUNTY TONGBAN_DB=$DB
sql() { tb_psql "$PGDIR" -c "$1"; }
eq "migrate creates the schema" "数据库结构已是最新" "$("$C" migrate)"
# The daemon first, the scenario after: its rows are written by SQL, with no
# fold behind them, so the daemon must not hold them in memory (it would
# supervise them: a card event rewrites a case's row from its fold).  The
# figures and the dashboard read PostgreSQL.
export TONGBAN_BROKER=ipc://$WORK/broker.sock
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
URL=http://127.0.0.1:$port
start broker "$BROKER" serve
start county "$C" serve --http "127.0.0.1:$port"
up() { /usr/bin/python3 "$TB_SOURCE/tests/integration/webreq.py" "$WORK/nojar" GET "$URL/" >/dev/null 2>&1; }
ok "the county serves its dashboard" tb_wait_for 30 up
serving() { grep -q "serving\|ready\|listening" "$WORK/county.log"; }
ok "the county loaded its cases" tb_wait_for 30 serving
ok "load the scenario" tb_psql "$PGDIR" -f "$TB_SOURCE/tests/integration/stats-national-day-2026.sql"
eq "the trigger kept when A was accepted and its promised deadline" \
    "2026-09-24 10:00|2026-10-15" \
    "$(sql "SELECT to_char(stat_accepted_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI') || '|' ||
            to_char(stat_due_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD')
            FROM cases WHERE case_id = '360826100001-20260922-0001'")"

R=(report --from 2026-09-01 --to 2026-10-31)
J=$("$C" "${R[@]}" --json)
t() { jq -c "$1" <<<"$J"; }
# County totals (see the scenario): 8 entrusted, 1 consultation, 1 help request;
# 6 accepted (A-F), 4 closed (A-D), 3 on time (A, B, C), 1 early (A),
# 1 即办件 (C); 承诺件 closed A, B, D: 5 + 10 + 11 = 26 working days against
# 30 promised; overdue D (closed late) and E (open past due; F is paused);
# open E, F, J; rated A, B, C: 2 satisfied, 1 差评.
eq "ledger volumes by kind" '[8,1,1]' "$(t '.total | [.entrust, .consult, .help]')"
eq "受理数 办结数 办结率" '[6,4,0.6667]' "$(t '.total | [.accepted, .closed, (.close_rate*10000|round/10000)]')"
eq "按时办结率 提前办结率 即办率" '[0.75,0.25,0.1667]' \
    "$(t '.total | [.on_time_rate, .early_rate, (.immediate_rate*10000|round/10000)]')"
eq "承诺件: count, average working days, promised, 提速率" '[3,8.6667,10,0.1333]' \
    "$(t '.total | [.promised_closed, (.avg_workdays*10000|round/10000), .avg_promised_days, (.speedup_rate*10000|round/10000)]')"
eq "overdue and open" '[2,3]' "$(t '.total | [.overdue, .open]')"
eq "评议率 满意率 差评率" '[0.75,0.6667,0.3333]' \
    "$(t '.total | [.rating_rate, (.satisfied_rate*10000|round/10000), (.bad_rate*10000|round/10000)]')"
# 亮牌 (the scenario's cards): raised Sep 1 - Oct 31 in 泰和县: I, J, E yellow; E, F red
# (F's second card on Nov 1 and another county's card are not counted).
eq "亮牌: the cards raised in the range, all and by level" '[5,3,2]' \
    "$(t '.total | [.cards, .cards_yellow, .cards_red]')"
# 投诉 by outcome (the scenario): C 2 (1 closed, 1 declined), B 1 declined, D 1 open
# (1 redo, 1 fault), E 1 open (its refused COMPLAINED not counted); K and L outside.
eq "complaints: filed, closed, declined, open, redone, fault" '[5,1,2,2,1,1]' \
    "$(t '.total | [.complaints, .complaints_closed, .complaints_declined, .complaints_open, .complaints_redone, .complaints_fault]')"
eq "追评: 2, one satisfied; 满意率 still the first rating's" '[2,0.5,0.6667]' \
    "$(t '.total | [.followups, .followup_satisfied_rate, (.satisfied_rate*10000|round/10000)]')"
eq "B's 差评 opened a rectification, not revisited nor rectified yet: 0 of 1" '[0,0]' \
    "$(t '.total | [.rectify_rate, .revisit_rate]')"

J=$("$C" "${R[@]}" --by township --json)
eq "by township: the two with business" "$TOWN 澄江镇,$TOWN2 桥头镇" \
    "$(jq -r '[.rows[] | "\(.unit) \(.name)"] | join(",")' <<<"$J")"
eq "澄江镇: entrusted, accepted, closed, on time, 提速率, open" '[5,3,3,1,0.25,1]' \
    "$(jq -c ".rows[] | select(.unit == \"$TOWN\") | [.entrust, .accepted, .closed, .on_time_rate, .speedup_rate, .open]" <<<"$J")"
eq "桥头镇: closed late, no rating: rates null" '[3,1,0,-0.1,2,null]' \
    "$(jq -c ".rows[] | select(.unit == \"$TOWN2\") | [.accepted, .closed, .on_time_rate, (.speedup_rate*10000|round/10000), .overdue, .satisfied_rate]" <<<"$J")"
eq "by township: the total is the county's" '[6,4]' "$(jq -c '.total | [.accepted, .closed]' <<<"$J")"
eq "complaints by township: 澄江镇 B's and C's; 桥头镇 D's and E's, open" \
    "[[\"$TOWN\",3,1,2,0],[\"$TOWN2\",2,0,0,2]]" \
    "$(jq -c '[.rows[] | [.unit, .complaints, .complaints_closed, .complaints_declined, .complaints_open]]' <<<"$J")"
eq "亮牌 by the township holding the case then: 澄江镇 2 yellow; 桥头镇 1 yellow, 2 red" \
    "[[\"$TOWN\",2,0],[\"$TOWN2\",1,2]]" "$(jq -c '[.rows[] | [.unit, .cards_yellow, .cards_red]]' <<<"$J")"

J=$("$C" "${R[@]}" --month --json)
eq "by month: September and October (cards by the month they were raised)" \
    '[["2026-09",5,4,4,1],["2026-10",3,2,0,4]]' \
    "$(jq -c '[.rows[] | [.period, .entrust, .accepted, .closed, .cards]]' <<<"$J")"
eq "complaints by the month the case was logged: September B, C, D; October E" '[["2026-09",4],["2026-10",1]]' \
    "$(jq -c '[.rows[] | [.period, .complaints]]' <<<"$J")"
J=$("$C" report --from 2026-10-31 --to 2026-10-31 --by township --json)
eq "a day with cards but no case logged: a row of its own (F's red at 23:59:59)" \
    "[[\"$TOWN2\",0,1,null]]" "$(jq -c '[.rows[] | [.unit, .accepted, .cards_red, .close_rate]]' <<<"$J")"
J=$("$C" "${R[@]}" --by village --scope $TOWN --json)
eq "by village inside 澄江镇 (the window's walk-ins under the township)" \
    "$TOWN:1,360826100001:1,360826100002:1" \
    "$(jq -r '[.rows[] | "\(.unit):\(.accepted)"] | join(",")' <<<"$J")"
eq "亮牌 by village: under the township window holding I and J then, not their villages" \
    "$TOWN:2,360826100001:0,360826100002:0" "$(jq -r '[.rows[] | "\(.unit):\(.cards)"] | join(",")' <<<"$J")"
J=$("$C" "${R[@]}" --by item --json)
eq "by item: names from the catalog" "BF001 0,JS001 1,NB001 5,ZX001 0" \
    "$(jq -r '[.rows[] | "\(.unit) \(.accepted)"] | join(",")' <<<"$J")"
J=$("$C" report --from 2026-10-10 --to 2026-10-10 --json)
eq "one day: the make-up Saturday's pre-review case" '[1,0,1]' "$(jq -c '.total | [.entrust, .accepted, .open]' <<<"$J")"

# CSV: a header, a line per row, the total; parses (python's csv) with the same numbers.
CSV=$("$C" "${R[@]}" --by township --day --csv)
eq "CSV: the header" "unit,name,period,entrust,consult,help,accepted,closed,close_rate" \
    "$(head -n 1 <<<"$CSV" | cut -d, -f1-9 | tr -d '\r')"
# Days with business: 澄江镇 Sep 22, 29, 30, Oct 8, 10; 桥头镇 Sep 25, Oct 8, 9;
# and days with cards only: 澄江镇 Oct 13; 桥头镇 Oct 20, 22, 31.
eq "CSV: per day kept, the total last" "12 total 5" "$(python3 -c '
import csv, sys
rows = list(csv.DictReader(sys.stdin))
print(len(rows) - 1, rows[-1]["unit"], rows[-1]["cards"])' <<<"$CSV")"
eq "CSV: 澄江镇 on 2026-09-30 (C accepted and closed, G a consultation)" "1,1,1" "$(python3 -c '
import csv, sys
r = [r for r in csv.DictReader(sys.stdin) if r["unit"] == "'$TOWN'" and r["period"] == "2026-09-30"][0]
print(",".join([r["accepted"], r["consult"], r["closed"]]))' <<<"$CSV")"
eq "a table for people: 受理数 of the county's row and of the total" "2" "$("$C" "${R[@]}" | grep -c '受理数 6')"
eq "a table for people: 亮牌数, 黄牌, 红牌" "2" "$("$C" "${R[@]}" | grep -c '亮牌数 5;  黄牌 3;  红牌 2')"
eq "a table for people: 投诉 by outcome" "2" "$("$C" "${R[@]}" | grep -c '投诉数 5;  投诉办结 1$')"
eq "CSV: the complaint and 追评 columns" "5,1,2,2,1,1,2,0.5000" "$(python3 -c '
import csv, sys
r = list(csv.DictReader(sys.stdin))[-1]
print(",".join(r[k] for k in ["complaints", "complaints_closed", "complaints_declined", "complaints_open", "complaints_redone", "complaints_fault", "followups", "followup_satisfied_rate"]))' <<<"$("$C" "${R[@]}" --csv)")"

# Refusals: exit 1, the reason, nothing written.
pgstate() { sql "SELECT count(*), max(updated_at) FROM cases" -c "SELECT count(*) FROM county_commands"; }
REFUSE_PROBE=pgstate
refuse "no range" 1 "须填写起止日期" "$C" report
refuse "a malformed date" 1 "YYYY-MM-DD" "$C" report --from 2026-9-1 --to 2026-10-31
refuse "a date that does not exist" 1 "YYYY-MM-DD" "$C" report --from 2026-02-30 --to 2026-10-31
refuse "a reversed range" 1 "日期范围颠倒" "$C" report --from 2026-10-31 --to 2026-09-01
refuse "a huge range" 1 "日期范围过长" "$C" report --from 2000-01-01 --to 2026-10-31
refuse "an unknown grouping" 1 "分组（by）须为" "$C" report --from 2026-09-01 --to 2026-10-31 --by street
refuse "an unknown place" 1 "不是本县的地点" "$C" report --from 2026-09-01 --to 2026-10-31 --scope 360826999000
refuse "another county's place" 1 "不是本县的地点" "$C" report --from 2026-09-01 --to 2026-10-31 --scope 360827100000
refuse "a place that is not a code" 1 "12 位地点代码" "$C" report --from 2026-09-01 --to 2026-10-31 --scope "1' OR '1'='1"
refuse "month and day at once" 1 "只能各选其一" "$C" report --from 2026-09-01 --to 2026-10-31 --month --day

# ---- the same numbers from the dashboard's API (tongban-county serve --http)
PW='Jian-Cha-2026!'
printf '%s\n' "$PW" | "$C" account add sup --name 王督办 --role supervisor --scope $COUNTY >/dev/null
printf '%s\n' "$PW" | "$C" account add aud --name 李审计 --role auditor --scope $TOWN2 >/dev/null
printf '%s\n' "$PW" | "$C" account add win --name 窗口张 --role window --scope $TOWN >/dev/null
# web JAR METHOD PATH [BODY] [HEADER...]: "STATUS" then the body.
web() { local jar=$1 m=$2 path=$3; shift 3; /usr/bin/python3 "$TB_SOURCE/tests/integration/webreq.py" "$WORK/$jar" "$m" "$URL$path" "$@"; }
status() { web "$@" | head -n 1; }
body() { web "$@" | tail -n +2; }
emsg() { body "$@" | jq -r '.error.message'; }
eq "not signed in: 401" 401 "$(status a GET "/api/stats?from=2026-09-01&to=2026-10-31")"
eq "a wrong password: 401, the accounts' words" "401" "$(status a POST /api/login '{"login":"sup","password":"wrong-wrong"}')"
eq "a window's account signs in (tb_websession)..." 200 \
    "$(status w POST /api/login '{"login":"win","password":"'"$PW"'"}')"
eq "... but the county's dashboard is not theirs: 403" "403 role" \
    "$(web w GET /api/overview | { read -r st; echo "$st $(jq -r .error.code)"; })"
eq "the supervisor signs in" "200 supervisor" \
    "$(web a POST /api/login '{"login":"sup","password":"'"$PW"'"}' | { read -r st; echo "$st $(jq -r .role)"; })"
eq "the auditor of 桥头镇 signs in" 200 "$(status b POST /api/login '{"login":"aud","password":"'"$PW"'"}')"
Q="from=2026-09-01&to=2026-10-31"
eq "the API gives the command's numbers" \
    "$("$C" "${R[@]}" --by township --json | jq -c '[.rows[] | [.unit, .accepted, .closed, .on_time_rate]], .total.speedup_rate')" \
    "$(body a GET "/api/stats?$Q&by=township" | jq -c '[.rows[] | [.unit, .accepted, .closed, .on_time_rate]], .total.speedup_rate')"
CSV=$(body a GET "/api/stats?$Q&by=village&period=day&format=csv")
eq "CSV from the API (the screen's download): a BOM, headed in Chinese, per day kept, the total's 受理数" \
    "bom 6 6 合计" "$(python3 -c '
import csv, io, sys
data = sys.stdin.buffer.read()
rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
print("bom" if data.startswith(b"\xef\xbb\xbf") else "no-bom",
      sum(int(r["受理数"]) for r in rows[:-1]), rows[-1]["受理数"], rows[-1]["单位"])' <<<"$CSV")"
eq "the cases behind 超期 (overdue)" "360826102001-20260925-0001 360826102001-20261008-0001" \
    "$(body a GET "/api/cases?$Q&measure=overdue" | jq -r '[.cases[].case_id] | join(" ")')"
eq "the cases behind 投诉 (complained)" "360826102001-20260925-0001 360826100002-20260929-0001 360826100000-20260930-0001 360826102001-20261008-0001" \
    "$(body a GET "/api/cases?$Q&measure=complained" | jq -r '[.cases[].case_id] | join(" ")')"
eq "the October bulletin's complaints (of the cases logged in October: E)" "1 0 1" \
    "$(body a GET "/api/bulletin?month=2026-10" | jq -r '.total | "\(.complaints) \(.complaints_closed) \(.complaints_open)"')"
eq "the cases behind 桥头镇's 受理数" 3 \
    "$(body a GET "/api/cases?$Q&by=township&unit=$TOWN2&measure=accepted" | jq '.cases | length')"
eq "a case's timeline across tiers (A's events in the scenario)" "200 logged submitted received accepted delivered" \
    "$(web a GET /api/case/360826100001-20260922-0001 | { read -r st; echo "$st $(jq -r '[.history[].event] | join(" ")')"; })"
eq "the view is audited with the login" "sup dashboard" \
    "$(sql "SELECT actor || ' ' || what FROM view_audit WHERE case_id = '360826100001-20260922-0001'")"
eq "the auditor sees only 桥头镇 by default (and its 3 cards)" "$TOWN2 3 3" \
    "$(body b GET "/api/stats?$Q" | jq -r '"\(.scope) \(.total.accepted) \(.total.cards)"')"
eq "the API's 亮牌 are the command's" "$("$C" "${R[@]}" --by township --json | jq -c '.total')" \
    "$(body a GET "/api/stats?$Q&by=township" | jq -c '.total')"
eq "the October bulletin: its cards, yellow and red" "4 2 2" \
    "$(body a GET "/api/bulletin?month=2026-10" | jq -r '.total | "\(.cards) \(.cards_yellow) \(.cards_red)"')"
eq "the overview answers with the units below the scope" "township" "$(body a GET /api/overview | jq -r .by)"
# The cards open now (table cards of migration 008, written here as the
# county writes them): one red in 桥头镇, one yellow in 澄江镇, one cleared.
sql "INSERT INTO cards(id, case_id, level, kind, raised_at, due_at, holder) VALUES
    (901, '360826102001-20261008-0001', 'red', 'deadline', now(), now(), '$TOWN2'),
    (902, '360826100001-20260930-0001', 'yellow', 'deadline', now(), now(), '$TOWN'),
    (903, '360826100001-20260922-0001', 'red', 'deadline', now(), now(), '$TOWN')" >/dev/null
sql "UPDATE cards SET cleared_at = now(), cleared_why = 'closed' WHERE id = 903" >/dev/null
eq "the overview counts the open cards by level" '{"yellow":1,"red":1}' \
    "$(body a GET /api/overview | jq -c .cards)"
eq "and only those in the account's scope" '{"yellow":0,"red":1}' "$(body b GET /api/overview | jq -c .cards)"
# Open now, whenever logged: E, F, J (and K..L are closed or elsewhere); past due: E only (F is paused).
eq "the overview: open and overdue now, 桥头镇's share" '[3,1,2,1]' \
    "$(body a GET /api/overview | jq -c "[.open.open, .open.overdue, (.open_units[] | select(.unit == \"$TOWN2\") | .open, .overdue)]")"
eq "the cases behind the overview's 超期 (open and past due)" "360826102001-20261008-0001" \
    "$(body a GET "/api/cases?$Q&measure=overdue_open" | jq -r '[.cases[].case_id] | join(" ")')"
eq "the September bulletin: 澄江镇 first, 桥头镇 last, 禾市镇 idle" "澄江镇 桥头镇 1 4" \
    "$(body a GET "/api/bulletin?month=2026-09" | jq -r '"\(.top[0].name) \(.bottom[0].name) \([.idle[] | select(.name == "禾市镇")] | length) \(.total.accepted)"')"
# Refusals: 400 with a clear message (Chinese first, English when the page
# asks: ?lang=en), 403 outside the scope, 404 an unknown case.
eq "reversed range: 400, in Chinese" "400 日期范围颠倒：起始日期晚于截止日期" \
    "$(web a GET "/api/stats?from=2026-10-31&to=2026-09-01" | { read -r st; echo "$st $(jq -r .error.message)"; })"
eq "reversed range: 400, in English when asked" "400 the range is reversed: from is after to" \
    "$(web a GET "/api/stats?from=2026-10-31&to=2026-09-01&lang=en" | { read -r st; echo "$st $(jq -r .error.message)"; })"
eq "huge range: 400" "too long" "$(emsg a GET "/api/stats?from=2020-01-01&to=2026-10-31&lang=en" | grep -o 'too long')"
eq "malformed date: 400" 400 "$(status a GET "/api/stats?from=2026-13-01&to=2026-10-31")"
eq "missing dates: 400" "from and to are required (YYYY-MM-DD)" "$(emsg a GET "/api/stats?lang=en")"
eq "unknown grouping: 400" 400 "$(status a GET "/api/stats?$Q&by=1;DROP%20TABLE%20cases")"
eq "unknown place: 400" "scope is not a known place of this county" "$(emsg a GET "/api/stats?$Q&scope=360826999000&lang=en")"
eq "a quote in the scope: 400" 400 "$(status a GET "/api/stats?$Q&scope=%27%20OR%201=1--")"
eq "unknown measure: 400" "measure is not one of the counts" "$(emsg a GET "/api/cases?$Q&measure=pg_sleep&lang=en")"
eq "unknown format: 400" 400 "$(status a GET "/api/stats?$Q&format=xml")"
eq "bad month: 400" "month must be written YYYY-MM" "$(emsg a GET "/api/bulletin?month=2026-13&lang=en")"
eq "bad month: 400, in Chinese" "月份须写作 YYYY-MM" "$(emsg a GET "/api/bulletin?month=2026-13&lang=zh")"
eq "the auditor of 桥头镇 asks for 澄江镇: 403" 403 "$(status b GET "/api/stats?$Q&scope=$TOWN")"
eq "the auditor of 桥头镇 opens a case of 澄江镇: 404" 404 "$(status b GET /api/case/360826100001-20260922-0001)"
eq "not a case id: 400" 400 "$(status a GET "/api/case/x'--")"
eq "the cases table is intact" 12 "$(sql "SELECT count(*) FROM cases")"
eq "sign out needs the CSRF token" 403 "$(status a POST /api/logout)"
csrf=$(body a GET /api/me | jq -r .csrf)
eq "sign out" 204 "$(status a POST /api/logout '' "X-CSRF-Token:$csrf")"
eq "signed out: 401" 401 "$(status a GET /api/session)"
eq "the session cookie is HttpOnly and SameSite=Strict" 1 \
    "$(web c POST /api/login '{"login":"sup","password":"'"$PW"'"}' >/dev/null; grep -c 'tb_session=.*HttpOnly' "$WORK/c")"
stop county
stop broker
finish
