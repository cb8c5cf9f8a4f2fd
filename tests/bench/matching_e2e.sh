#!/bin/sh
# End-to-end timings of the matching pages against a running server and
# its database (not part of make test):
#
#   psql -v n=100000 -v offers=10000 -f tests/bench/match_needs.sql  (owner)
#   tests/bench/matching_e2e.sh http://127.0.0.1:8888 donor1@example.com PASSWORD \
#       admin@example.com PASSWORD OFFER_ID NEED_ID
#
# "cold": the first request after the worker's needs cache expired
# (SHOP_MATCH_CACHE_SECONDS, 5 by default: it sleeps 6 s before each), so
# it loads every open need; "warm": wrk over the cached needs.
set -eu
base=$1 donor=$2 dpw=$3 adm=$4 apw=$5 offer=$6 need=$7
token() {
	curl -fs -X POST "$base/api/v1/login" -H 'content-type: application/json' \
	    -d "{\"identifier\":\"$1\",\"password\":\"$2\"}" |
	    sed 's/.*"token":"\([0-9a-f]*\)".*/\1/'
}
t=$(token "$donor" "$dpw")
a=$(token "$adm" "$apw")
get() {	# label token path: status and seconds
	curl -s -o /dev/null -w "$1 %{http_code} %{time_total}\n" \
	    -H "authorization: Bearer $2" "$base$3"
}
for i in 1 2 3 4 5; do sleep 6; get "one offer, cold" "$t" "/api/v1/offers/$offer"; done
for i in 1 2 3; do get "one offer, warm" "$t" "/api/v1/offers/$offer"; done
for i in 1 2 3; do get "one need (all live offers)" "$a" "/api/v1/needs/$need/offers"; done
for i in 1 2 3; do get "recommended" "$t" "/api/v1/me/recommended"; done
for i in 1 2 3; do get "full run" "$a" "/api/v1/matching?limit=100"; done
curl -s -H "authorization: Bearer $a" "$base/api/v1/matching?limit=1" |
    sed 's/.*"summary" *: *\({[^}]*}\).*/full run summary: \1/'
echo "wrk, one offer, warm cache:"
wrk -t2 -c8 -d10s -H "authorization: Bearer $t" "$base/api/v1/offers/$offer" |
    grep -E "Latency|Requests/sec"
