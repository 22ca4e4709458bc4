source "$TB_SOURCE/tests/integration/lib.sh"; finish
