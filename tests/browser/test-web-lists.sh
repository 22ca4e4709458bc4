#!/usr/bin/env bash
# The screens' lists page in SQL (common/tb_weblist.c): the village ledger and
# the township inbox come a page at a time with the total; the filters (state,
# item, village, date, search) hold across pages; bad page parameters are
# refused with 400 and a field error in Chinese.  Real daemons, curl, no browser.
source "$(dirname "$0")/../integration/lib.sh"
export TONGBAN_BROKER=ipc://$WORK/broker.sock
TOWN=360826100000 VIL=360826100001
# Both nodes hold account lists (seeded below): the command line signs in.
vil() { TONGBAN_PASSWORD_FILE=$WORK/vil.pw "$V" "$@" --place $VIL --data-dir "$WORK/v" --login wang.agent; }
town() { TONGBAN_PASSWORD_FILE=$WORK/town.pw "$T" "$@" --place $TOWN --data-dir "$WORK/t" --login li.win; }
pwfile vil Wang-Dai-Ban-1 >/dev/null && pwfile town Li-Chuang-Kou-1 >/dev/null
freeport() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
vport=$(freeport)
tport=$(freeport)
"$TB_SEED" "$WORK/v" $VIL 1 wang.agent 王代办 agent $VIL 'Wang-Dai-Ban-1' >/dev/null &&
    "$TB_SEED" "$WORK/t" $TOWN 1 li.win 李窗口 window $TOWN 'Li-Chuang-Kou-1' >/dev/null ||
    { echo "Bail out! cannot seed the accounts"; exit 1; }
# 25 cases at the village (15 of YB003, 10 of YL001), 12 walk-ins at the township.
names=(赵 钱 孙 李 周 吴 郑 王 冯 陈 褚 卫 蒋 沈 韩 杨 朱 秦 尤 许 何 吕 施 张 孔)
for i in $(seq 0 24); do
    item=YB003 mats=居民身份证
    [ "$i" -ge 15 ] && item=YL001 mats=居民身份证,户口簿
    vil log --client "${names[$i]}桂兰" --phone 1380796$(printf %04d "$i") --item $item \
        --materials "$mats" >/dev/null || { echo "Bail out! vil log $i failed"; exit 1; }
done
for i in $(seq 0 11); do
    town register --client "${names[$i]}秀英" --phone 1390796$(printf %04d "$i") --item YB003 \
        --materials 居民身份证 >/dev/null || { echo "Bail out! town register $i failed"; exit 1; }
done
start vil "$V" serve --place $VIL --data-dir "$WORK/v" --agent 王代办 --http "127.0.0.1:$vport"
start town "$T" serve --place $TOWN --data-dir "$WORK/t" --agent 窗口李 --http "127.0.0.1:$tport"
up() { [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1/api/me")" = 401 ]; }
ok "the village serves" tb_wait_for 30 up "$vport"
ok "the township serves" tb_wait_for 30 up "$tport"
signin() { # port login password
    curl -s -c "$WORK/jar.$1" -H 'Content-Type: application/json' \
        -d "{\"login\":\"$2\",\"password\":\"$3\"}" "http://127.0.0.1:$1/api/login" >/dev/null
}
ok "the agent signs in" signin "$vport" wang.agent Wang-Dai-Ban-1
ok "the window signs in" signin "$tport" li.win Li-Chuang-Kou-1
get() { curl -s -b "$WORK/jar.$1" "http://127.0.0.1:$1$2"; }
status() { curl -s -o /dev/null -w '%{http_code}' -b "$WORK/jar.$1" "http://127.0.0.1:$1$2"; }
shape() { get "$1" "$2" | jq -c '[.total, .pages, .page, .per, (.cases | length)]'; }

# The ledger, page by page.
eq "ledger page 1 of 3: 10 of 25" "[25,3,1,10,10]" "$(shape $vport '/api/cases?per=10')"
eq "ledger page 3: the last 5" "[25,3,3,10,5]" "$(shape $vport '/api/cases?per=10&page=3')"
eq "a page past the end: empty, the total kept" "[25,3,4,10,0]" "$(shape $vport '/api/cases?per=10&page=4')"
eq "the default page: 50 rows" "[25,1,1,50,25]" "$(shape $vport '/api/cases')"
ids=$(for p in 1 2 3; do get $vport "/api/cases?per=10&page=$p" | jq -r '.cases[].case_id'; done)
eq "the three pages hold every case once" 25 "$(sort -u <<<"$ids" | wc -l)"
eq "the three pages are the default page, in its order (newest first)" \
    "$(get $vport '/api/cases' | jq -r '.cases[].case_id')" "$ids"
# Filters across pages.
eq "item across pages: 15 of YB003, page 2 holds 5" "[15,2,2,10,5]" \
    "$(shape $vport '/api/cases?per=10&page=2&item=YB003')"
eq "every row of the item's pages is of the item" "YB003" \
    "$(for p in 1 2; do get $vport "/api/cases?per=10&page=$p&item=YB003" | jq -r '.cases[].item_code'; done | sort -u)"
eq "item and search together" "[1,1,1,10,1]" \
    "$(shape $vport "/api/cases?per=10&item=YL001&q=$(jq -rn '"施桂兰"|@uri')")"
eq "search by name, one found" "施桂兰" \
    "$(get $vport "/api/cases?q=$(jq -rn '"施桂兰"|@uri')" | jq -r '[.cases[].client_name] | join(",")')"
first=$(get $vport '/api/cases?per=1' | jq -r '.cases[0].case_id')
eq "search by case id" "$first" "$(get $vport "/api/cases?q=$first" | jq -r '.cases[0].case_id')"
eq "state open across pages" "[25,3,2,10,10]" "$(shape $vport '/api/cases?per=10&page=2&filter=open')"
eq "state closed: none" "[0,0,1,10,0]" "$(shape $vport '/api/cases?per=10&filter=closed')"
today=$(TZ=Asia/Shanghai date +%F)
eq "today's cases, by accept date" "[25,3,3,10,5]" \
    "$(shape $vport "/api/cases?per=10&page=3&from=$today&to=$today")"
eq "another day's: none" "[0,0,1,10,0]" "$(shape $vport '/api/cases?per=10&from=2020-01-01&to=2020-01-31')"
eq "the monthly ledger still lists the month" 25 \
    "$(get $vport "/api/ledger?month=${today:0:7}" | jq '.rows | length')"
eq "the month's first row: the resident, the phone, the item, no completion yet" \
    "赵桂兰 13807960000 新农合医疗费用报销 - " \
    "$(get $vport "/api/ledger?month=${today:0:7}" | jq -r '.rows[0] | "\(.client_name) \(.client_phone) \(.item_name) \(.completion_time) \(.result)"')"
eq "another month: no rows" 0 "$(get $vport '/api/ledger?month=2020-01' | jq '.rows | length')"
# Bad parameters: 400, the field, in Chinese.
field() { get "$1" "$2" | jq -r '[.errors[] | .field + "=" + .message] | join(";")'; }
for bad in 'page=0' 'page=abc' 'page=-1' 'page=100001' 'page=1.5' 'per=0' 'per=201' 'per=' 'from=2026-02-30' \
    'to=20260301' 'from=2026-03-02&to=2026-03-01' 'filter=bogus' 'village=3608' \
    "q=$(printf 'x%.0s' $(seq 65))"; do
    want=${bad%%=*}
    [ "$bad" = 'from=2026-03-02&to=2026-03-01' ] && want=to
    if [ "$bad" = 'per=' ]; then
        eq "an empty per is the default" 200 "$(status $vport "/api/cases?$bad")"
        continue
    fi
    eq "$bad: 400" 400 "$(status $vport "/api/cases?$bad")"
    ok "$bad: a field error on $want, in Chinese" \
        grep -qP "^$want=.*\p{Han}" <<<"$(field $vport "/api/cases?$bad")"
done
eq "two bad fields: both named" "page,per" \
    "$(get $vport '/api/cases?page=x&per=x' | jq -r '[.errors[].field] | join(",")')"

# The inbox, by deadline, page by page.
eq "inbox page 1 of 3: 5 of 12" "[12,3,1,5,5]" "$(shape $tport '/api/inbox?per=5')"
eq "inbox page 3: the last 2" "[12,3,3,5,2]" "$(shape $tport '/api/inbox?per=5&page=3')"
dues=$(for p in 1 2 3; do get $tport "/api/inbox?per=5&page=$p" | jq -r '.cases[].due_ms'; done)
eq "the inbox's pages run by deadline" "$(sort -n <<<"$dues")" "$dues"
eq "the inbox's pages are the whole inbox" \
    "$(get $tport '/api/inbox' | jq -r '.cases[].case_id')" \
    "$(for p in 1 2 3; do get $tport "/api/inbox?per=5&page=$p" | jq -r '.cases[].case_id'; done)"
eq "by place: the window's own walk-ins, across pages" "[12,2,2,10,2]" \
    "$(shape $tport "/api/inbox?per=10&page=2&village=$TOWN")"
eq "by place: none from the village" "[0,0,1,10,0]" "$(shape $tport "/api/inbox?per=10&village=$VIL")"
eq "inbox bad page: 400 on page" "page" "$(get $tport '/api/inbox?page=0' | jq -r '.errors[0].field')"
eq "the villages page counts in SQL" "[0]" \
    "$(get $tport '/api/villages' | jq -c "[.villages[] | select(.place == \"$VIL\") | .open]")"
eq "signed out: 401" 401 "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$vport/api/cases?page=2")"
stop town
stop vil
finish
