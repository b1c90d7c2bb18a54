#!/usr/bin/env python3
"""Ask a Prometheus server's HTTP API (api/v1) from the end-to-end tests.

  prom_query.py URL query EXPR     one line per series: "{labels} value" (nothing if empty)
  prom_query.py URL value EXPR     the single value of EXPR (exit 1 if not exactly one)
  prom_query.py URL alerts         one line per alert: "name state"
  prom_query.py URL targets        one line per active target: "scrapeUrl health lastError"
"""
import json
import sys
import urllib.parse
import urllib.request


def get(base, path, **params):
    url = base.rstrip("/") + path
    if params:
        url += "?" + urllib.parse.urlencode(params)
    with urllib.request.urlopen(url, timeout=5) as r:
        d = json.load(r)
    if d.get("status") != "success":
        raise SystemExit("%s: %s" % (url, d))
    return d["data"]


def main():
    base, what = sys.argv[1], sys.argv[2]
    if what in ("query", "value"):
        data = get(base, "/api/v1/query", query=sys.argv[3])
        res = data["result"]
        if data["resultType"] == "scalar":
            res = [{"metric": {}, "value": res}]
        if what == "value":
            if len(res) != 1:
                print("%d series for %s" % (len(res), sys.argv[3]), file=sys.stderr)
                sys.exit(1)
            print(res[0]["value"][1])
            return
        for r in res:
            labels = ",".join('%s="%s"' % kv for kv in sorted(r["metric"].items()))
            print("{%s} %s" % (labels, r["value"][1]))
    elif what == "alerts":
        for a in get(base, "/api/v1/alerts")["alerts"]:
            print(a["labels"]["alertname"], a["state"])
    elif what == "targets":
        for t in get(base, "/api/v1/targets")["activeTargets"]:
            print(t["scrapeUrl"], t["health"], t.get("lastError", "") or "-")
    else:
        raise SystemExit("unknown request " + what)


if __name__ == "__main__":
    main()
