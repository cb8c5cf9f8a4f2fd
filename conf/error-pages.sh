#!/bin/sh
# conf/error-pages.sh OUT: the answers nginx gives itself, in the
# platform's format, as static files under OUT/_error/ (make writes them
# to build/errors/; installed as /usr/share/shop/_error/, conf/nginx.conf):
# STATUS.LANG.json, {"error":{"code","message"}} as the API answers, and
# STATUS.LANG.html, the error page, for a request nginx refuses before
# any node sees it (a body over 3 MiB, a line over 8 KiB, a head it
# cannot parse).  The words are the message catalogues' (assets/).
set -eu
out=$1/_error
root=$(cd "$(dirname "$0")/.." && pwd)
css=$(cd "$root/build/static" && ls style.*.css)
icon=$(cd "$root/build/static" && ls icon.*.svg)
mkdir -p "$out"

# msg LANG KEY: the catalogue's text for KEY, as it is written there (a
# JSON string's inside).
msg() {
	v=$(sed -n "s/^  \"$2\": \"\(.*\)\",\{0,1\}\$/\1/p" \
	    "$root/assets/messages_$1.json")
	[ -n "$v" ] || { echo "error-pages: no $2 in messages_$1.json" >&2;
	    exit 1; }
	printf '%s' "$v"
}

# html TEXT: TEXT (a JSON string's inside) as HTML text.
html() {
	printf '%s' "$1" | sed -e 's/\\"/"/g' -e 's/\\\\/\\/g' -e 's/&/\&amp;/g' \
	    -e 's/</\&lt;/g' -e 's/>/\&gt;/g' -e 's/"/\&quot;/g' \
	    -e "s/'/\\&#39;/g"
}

for entry in 400:bad_request 405:method 411:length_required \
    413:body_too_large 414:uri_too_long 431:header_too_large \
    505:http_version; do
	status=${entry%%:*}
	code=${entry#*:}
	for lang in zh en; do
		m=$(msg $lang "err.$code")
		printf '{"error":{"code":"%s","message":"%s"}}\n' "$code" "$m" \
		    >"$out/$status.$lang.json"
		if [ $lang = en ]; then hl=en; else hl=zh-CN; fi
		cat >"$out/$status.$lang.html" <<HTML
<!doctype html>
<html lang="$hl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>$(html "$(msg $lang err.title)") · $(html "$(msg $lang site.name)")</title>
<link rel="stylesheet" href="/static/$css">
<link rel="icon" href="/static/$icon" type="image/svg+xml">
</head>
<body>
<main id="main">
<section class="error">
  <p class="code">$status</p>
  <h1>$(html "$(msg $lang err.title)")</h1>
  <p>$(html "$m")</p>
  <p><a class="button" href="/">$(html "$(msg $lang nav.home)")</a> <a class="button ghost" href="/needs">$(html "$(msg $lang nav.needs)")</a></p>
</section>
</main>
</body>
</html>
HTML
	done
done
