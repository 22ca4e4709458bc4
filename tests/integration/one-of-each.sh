# One county, one township, one village, and how to ask each about a case
# (sourced by the lifecycle and distribution tests after lib.sh).
export TONGBAN_BROKER=ipc://$WORK/broker.sock
COUNTY=360826000000 TOWN=360826100000 VIL=360826100001
vil() { "$V" "$@" --place $VIL --data-dir "$WORK/v" --agent 张代办; }
town() { "$T" "$@" --place $TOWN --data-dir "$WORK/t" --agent 窗口李; }
county() { "$C" "$@" --place $COUNTY --db "$DB" --agent 审批王; }
vstate() { vil ledger --json | jq -r ".[] | select(.case_id==\"$1\") | .$2"; }
tstate() { town cases --json | jq -r ".[] | select(.case_id==\"$1\") | .$2"; }
cstate() { county cases --json | jq -r ".[] | select(.case_id==\"$1\") | .$2"; }
