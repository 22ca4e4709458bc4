# One county, one township, one village, and how to ask each about a case
# (sourced by the lifecycle and distribution tests after lib.sh).
export TONGBAN_BROKER=ipc://$WORK/broker.sock
COUNTY=360826000000 TOWN=360826100000 VIL=360826100001
# A test whose village or township holds an account list signs in there: it
# sets VIL_LOGIN and VIL_PW (a pwfile), or TOWN_LOGIN and TOWN_PW.  Until the
# list has arrived the node takes --agent, as a fresh node does.
vil() { TONGBAN_PASSWORD_FILE=${VIL_PW:-} "$V" "$@" --place $VIL --data-dir "$WORK/v" --agent 张代办 ${VIL_LOGIN:+--login "$VIL_LOGIN"}; }
town() { TONGBAN_PASSWORD_FILE=${TOWN_PW:-} "$T" "$@" --place $TOWN --data-dir "$WORK/t" --agent 窗口李 ${TOWN_LOGIN:+--login "$TOWN_LOGIN"}; }
# The county's steps sign in as COUNTY_LOGIN (after county_logins: cty.sup),
# or as the login county_as names.
county() { "$C" "$@" --place $COUNTY --db "$DB" ${COUNTY_LOGIN:+--login "$COUNTY_LOGIN"}; }
county_as() { local login=$1; shift; "$C" "$@" --place $COUNTY --db "$DB" --login "$login"; }
vstate() { vil ledger --json | jq -r ".[] | select(.case_id==\"$1\") | .$2"; }
tstate() { town cases --json | jq -r ".[] | select(.case_id==\"$1\") | .$2"; }
cstate() { county cases --json | jq -r ".[] | select(.case_id==\"$1\") | .$2"; }
# serving NAME [STARTS]: NAME's log says it serves (at least STARTS times:
# the log keeps every start's lines).
serving() { [ "$(grep -c "serving via" "$WORK/$1.log")" -ge "${2:-1}" ]; }
# at_c / at_t / at_v CASE STATE: the county's, the township's, the village's state of CASE
at_c() { [ "$(cstate "$1" state)" = "$2" ]; }
at_t() { [ "$(tstate "$1" state)" = "$2" ]; }
at_v() { [ "$(vstate "$1" state)" = "$2" ]; }
at_all() { at_v "$1" "$2" && at_t "$1" "$2" && at_c "$1" "$2"; } # every tier
# start_one_of_each: the broker, the county, the township and the village
# started, and both SQLite nodes serving.
start_one_of_each() {
    start broker "$BROKER" serve
    start county "$C" serve --place $COUNTY --db "$DB"
    start town "$T" serve --place $TOWN --data-dir "$WORK/t"
    start vil "$V" serve --place $VIL --data-dir "$WORK/v"
    ok "town is serving" tb_wait_for 30 serving town
    ok "vil is serving" tb_wait_for 30 serving vil
}
# delivered: a YB001 case logged at the village, accepted and granted at the
# township, delivered at the village; prints its id.
delivered() {
    local id
    id=$(vil log --client 李秀英 --phone 13807961234 --item YB001 --materials 居民身份证,户口簿)
    tb_wait_for 30 at_all "$id" prereview && town accept "$id" >/dev/null &&
        town decide "$id" --grant >/dev/null && tb_wait_for 30 at_all "$id" result &&
        vil deliver "$id" >/dev/null && echo "$id"
}
