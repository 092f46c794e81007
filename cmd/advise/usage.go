package main

import (
	"fmt"

	"github.com/placement-advisor/advise/server"
)

// defaultAddr is where "advise serve" listens unless told otherwise: loopback,
// so a service started by hand is not exposed by accident.
const defaultAddr = "127.0.0.1:8080"

// envAddr overrides defaultAddr; --addr overrides both.
const envAddr = "ADVISE_ADDR"

var mainHelp = `advise - should a workload run on virtual machines, in containers, or both?

advise reads a workload description, checks it strictly against contract v1,
evaluates it with the advisor's rules and prints the recommendation (vm,
container or hybrid, and how) with every reason that led to it and every
demand it does not meet. Each reason, constraint, unmet demand and warning
cites the source documents that support it.

Usage:
  advise [flags] FILE        advise on the workload in FILE
  advise [flags] -           advise on the workload read from standard input
  advise [flags] FILE...     advise on a portfolio: several files, a JSON array,
                             a YAML file of several documents (or a list), or
                             a CSV table
  advise serve [flags]       run the HTTP service (see 'advise help serve')
  advise diff [flags] FILE...
                             what a policy change does to the advice for a
                             portfolio, before it ships ('advise help diff')
  advise help [serve|diff]   show this help; also -h or --help
  advise version [--output text|json]
                             print the version and VCS revision of this
                             binary, the Go and OPA versions it was built
                             with and the version and digest of the policy
                             built into it; also --version

Two ways to get advice, same output:
  local (default)   the rules built into this binary evaluate the workload;
                    no network, no service needed.
  --server URL      the workload is posted to URL/advise (a portfolio to
                    URL/advise/batch) on a running advisor service; its answer is
                    printed exactly as a local one would be. Use it to get the
                    advice of the rules a team has deployed.

Flags:
  --output FORMAT     text (default): a plain report; for a portfolio, a table.
                      json: the answer (or portfolio) the HTTP API returns.
                      yaml: the same, as YAML.
                      markdown: an architecture-review section: the placements
                      weighed, how a hybrid splits and what it costs, a checklist
                      of constraints, unmet demands and warnings, reasons with
                      citations, the what-ifs and the policy digest; a portfolio
                      gets a table and one section per workload.
                      csv: a spreadsheet table, a row per workload: index,
                      name, recommendation, pattern, verdict, confidence,
                      band, scores, counts of constraints, unmet demands and
                      warnings, and a failed item's fields and error. A cell
                      starting with = + - @ gets a leading ' so a spreadsheet
                      does not run it as a formula.
  --lang en|zh        language of headings, titles, summaries, warnings and
                      what-ifs (default en); citations are the same in both.
  --server URL        ask the service at URL instead of the embedded rules
                      (http:// or https://). A refused connection, 502, 503,
                      504 and 429 are retried, up to 5 attempts within 30 s,
                      waiting as Retry-After asks or else backing off; on a
                      terminal, stderr says what each wait is for.
  --expect OPTION     vm, container or hybrid: exit 3, saying why, when the
                      advice for any workload differs, so a pipeline can hold a
                      design to its agreed platform.
  --policy PATH       also evaluate with an organisation's policy: a directory of
                      .rego, .json and .yaml files or an opa build bundle
                      (.tar.gz); repeat for several (see "Bring your own rules"
                      in the README). A text portfolio then ends with the
                      organisation's rules that fired, for which workloads, with
                      their citations. Not with --server.
  --no-builtin-rules  with --policy: the decision model and the organisation's
                      rules only.

The workload file:
  A JSON object in snake_case, or a JSON array of them (YAML works too: a
  .yaml/.yml file, or any input that does not start with "{" or "["; "---"
  separates documents, and yes/no stay strings). Only multi_tenant is
  required; every other field has a documented default, and the answer lists
  the ones it assumed. Unknown fields, duplicate keys, null and values outside
  the contract are errors. In a portfolio a bad workload is reported by its
  place and field, and the others are still advised on. YAML is bounded
  before it is read: at most 32 levels of nesting, 200,000 tokens, and
  100,000 nodes with its aliases expanded (an alias bomb is refused, not
  expanded).
  A CSV table (a .csv file, or input whose first line has commas and no
  colon) is a portfolio: a header row of field names, then a row per
  workload, at most 1000. Booleans are true or false in any letter case; an
  empty cell takes the field's default. An unknown or repeated column, a row
  of the wrong length or a cell that is not of its column's type is reported
  by item (from 0), line and column, and nothing is advised on.
  To read a file named "serve", "diff", "help" or "version", write ./serve,
  ./diff, ./help or ./version.

    {"name": "billing-api", "multi_tenant": true, "startup_sla_ms": 500,
     "density": "high", "scaling": "elastic"}

Exit status:
  0  advice was given, whatever it recommends.
  2  bad input: a usage error (unknown flag, no file, bad --output, --lang or
     --expect), a workload file that cannot be read, a malformed or invalid
     workload (every field at fault is listed on stderr; in a portfolio the
     others are still printed), or --server rejected it with a 4xx reply.
  3  advice was given, but not the recommendation --expect demanded.
  4  advise diff --fail-on-change: a policy change alters some advice.
  1  anything else: the rules failed to load or evaluate, the server could not
     be reached, timed out, answered 5xx, 408 or 429, or sent something that is
     not an answer.
  130, 143  stopped by SIGINT or SIGTERM, within half a second of the signal
     whatever it was doing (reading, compiling, evaluating).

Environment:
  ADVISE_ADDR   listen address for 'advise serve' when --addr is not given.
  ADVISE_TOKEN  bearer token 'advise serve' requires when --token is not given.

Examples:
  advise workload.json
  advise --output json workload.json | jq -r .recommendation
  advise --lang zh - < workload.yaml
  advise --output markdown workload.json >> review.md
  advise examples/*.json                       # a portfolio table
  advise --expect container service.yaml       # exit 3 if not containers
  advise --server http://127.0.0.1:8080 workload.json
  advise serve --addr 0.0.0.0:8080
  advise workload.json || echo "exit $?: fix the workload, or the advisor"
`

// diffHelp is the help of "advise diff". Its JSON section documents
// diffReport: keep the two in step.
var diffHelp = `advise diff - what a policy change does to the advice for a portfolio

Usage:
  advise diff --policy PATH [--policy PATH]... [--no-builtin-rules]
              [--base builtin|PATH] [--output text|markdown|json]
              [--lang en|zh] [--fail-on-change] FILE...

diff evaluates every workload of FILE... (what 'advise FILE...' reads:
several files, a JSON array, YAML documents, - for standard input) with two
rule sets, locally, and reports each workload whose advice changed: its
recommendation or hybrid pattern, its band (firm, leaning,
insufficient_data) or its reasons (a rule that fires under one and not the
other, or weighs otherwise). A workload whose confidence moved but stayed in
its band is not a change; the summary counts those apart.

The two rule sets:
  base  --base builtin (default): the rules built into this binary.
        --base PATH: those plus the organisation's policy at PATH, a
        directory or a bundle (.tar.gz). Write ./builtin for a directory
        of that name.
  new   the built-in rules plus every --policy; with --no-builtin-rules,
        the --policy rules alone (the decision model and the sources stay).

Flags:
  --policy PATH        a policy of the new rules, a directory or a bundle;
                       at least one, repeat for several.
  --no-builtin-rules   leave the built-in factor rules out of the new rules.
  --base builtin|PATH  the rules to compare against (default builtin).
  --output FORMAT      text (default): plain lines, the summary last.
                       markdown: a section for an architecture review board:
                       the two policies and their digests, a table of
                       transitions and one row per changed workload.
                       json: the object described below.
  --lang en|zh         language of headings and rule titles (default en).
  --fail-on-change     exit 4 when the advice for any workload changed.

What is reported:
  For each changed workload, in input order and numbered by its place in
  the input: recommendation, band and confidence, base → new; the reasons
  added (+) and removed (-) with favours and weight; the reasons whose
  weight changed (~), base → new. A transition counts the changed workloads
  per "base → new" recommendation, written vm, container or hybrid/PATTERN
  (hybrid/containers_in_vms, hybrid/orchestrator_in_vms,
  hybrid/side_by_side); "vm → vm" counts workloads that kept their
  recommendation but changed band or reasons. Most frequent first.

JSON output:
  {"base": {"digest", "origin"}, "new": {"digest", "origin"},
   "summary": {"workloads", "changed", "unchanged", "confidence_only",
               "invalid", "transitions": [{"from", "to", "count"}]},
   "changes": [{"index", "name", "source",
                "from": {"recommendation", "hybrid_pattern", "band",
                         "confidence"},
                "to": {the same},
                "reasons_added": [{"rule", "title", "favors", "weight"}],
                "reasons_removed": [the same],
                "weights_changed": [{"rule", "title", "favors", "from",
                                     "to"}]}],
   "invalid": [{"index", "name", "source", "detail",
                "errors": [{"field", "rule", "message"}]}]}
  workloads counts the workloads evaluated, so changed + unchanged =
  workloads; unchanged includes confidence_only; invalid ones are not
  evaluated. origin is "builtin" (not with --no-builtin-rules) and the
  policy paths, comma-separated. name is there when the workload has one,
  hybrid_pattern when the recommendation is hybrid. Lists are [] when empty.

Exit status:
  0  no advice changed, or some did and --fail-on-change was not given.
  4  some advice changed and --fail-on-change was given.
  2  bad input: a usage error (no --policy, no FILE, a --policy or --base
     path that does not exist, bad --output or --lang), a workload file
     that cannot be read, or a malformed or invalid workload (each is
     listed on stderr and in the report; the others are still compared).
     It wins over 4: the comparison is incomplete.
  1  a policy failed to load (the message says base or new, and names the
     file, the rule and what is wrong), or evaluation failed.

Examples:
  advise diff --policy examples/org-policy examples/*.json
  advise diff --policy acme.tar.gz --output markdown portfolio.yaml >> review.md
  advise diff --base policies/v1 --policy policies/v2 --fail-on-change *.json
  advise diff --policy acme --output json - < portfolio.json | jq .summary
`

var serveHelp = fmt.Sprintf(`advise serve - run the workload placement advisor as an HTTP service

Usage:
  advise serve [--addr HOST:PORT] [--body-limit BYTES] [--eval-timeout DUR]
               [--max-in-flight N] [--grace DUR] [--drain-delay DUR] [--drain-idle DUR]
               [--token TOKEN] [--cors-origin ORIGIN]... [--log-inputs]
               [--metrics-addr HOST:PORT]
               [--policy PATH]... [--no-builtin-rules] [--watch]
               [--watch-interval DUR] [--bundle-url URL] [--bundle-poll DUR]
               [--verification-key FILE] [--verification-alg ALG]

The service evaluates with the rules built into this binary, and with an
organisation's own policies where --policy or --bundle-url give them. It answers
POST /advise with the same answer 'advise --output json' prints, and
POST /advise/batch with a portfolio's; it serves GET /healthz, /readyz,
/v1/rules, /v1/sources, /v1/policy, /openapi.yaml and /metrics (Prometheus;
see --metrics-addr). Errors are RFC 9457
application/problem+json. A browser at / gets a page for people: the form,
the advice and its reasons, the what-ifs, /portfolio and /rules. It logs JSON lines to standard error: one
access line per request and one decision line per answer, which holds a
digest of the input, not the input itself, unless --log-inputs is given.

Flags:
  --addr HOST:PORT     address to listen on (default %s, or $%s).
                       The flag wins over the environment.
  --body-limit BYTES   largest request body accepted (default %d).
  --eval-timeout DUR   longest one evaluation may take, e.g. 500ms, 2s (default %s;
                       it must stay below the %s write timeout). A slower one is
                       answered 503 with Retry-After.
  --max-in-flight N    requests handled at once (default %d: 32 per CPU); the
                       rest are answered 503 with Retry-After at once, never
                       queued. /healthz and /readyz are exempt. A body being
                       read holds no such slot but one of 4 x N reading slots
                       (once half are taken, 8 per client address), so slow
                       uploads lock no one out;
                       /readyz answers 503 while either kind is all taken.
  --grace DUR          how long shutdown waits, once the listener has closed, for
                       the connections left to end (default %s).
  --drain-delay DUR    on SIGINT or SIGTERM, how long to go on serving with
                       /readyz answering 503 before new connections are refused
                       (default 0). Set it to how long your load balancer takes
                       to notice, e.g. 5s behind a Kubernetes Service.
  --drain-idle DUR     during the drain, how long a kept-alive connection may sit
                       idle before it is closed, once the listener has closed
                       (default %s).
  --token TOKEN        require "Authorization: Bearer TOKEN" on every endpoint but
                       /healthz and /readyz (default $%s; none: no auth). At least
                       16 characters of A-Z a-z 0-9 - . _ ~ + /. Prefer the
                       environment: a flag shows in the process list.
  --cors-origin ORIGIN let pages from ORIGIN (scheme://host[:port], matched
                       exactly) call the API from a browser; repeat for several.
                       Default none: CORS off.
  --log-inputs         add the resolved input to each decision line. Off by
                       default: workload names can say more than they should.
  --metrics-addr HOST:PORT
                       serve GET /metrics (Prometheus) on this address, and
                       only there, with no token: bind it to an interface only
                       the scraper reaches. Default none: /metrics is served
                       on --addr, and requires --token like the API.

Policy (see the README's "Bring your own rules"):
  --policy PATH        an organisation's policy beside the built-in rules: a
                       directory of .rego, .json and .yaml files, or a bundle
                       built by opa build (.tar.gz). Repeat for several.
  --no-builtin-rules   keep only the decision model and the organisation's rules.
  --watch              reload when a file under a --policy directory changes,
                       polled every --watch-interval (default 1s).
  --bundle-url URL     poll a bundle server for the organisation's bundle, with
                       ETags, every --bundle-poll to twice that (default 10s).
                       /readyz answers 503 until the first bundle has loaded.
  --verification-key FILE
                       refuse a bundle whose signature does not verify with the
                       PEM public key (or HMAC secret) in FILE, by
                       --verification-alg (default RS256); unsigned ones too.
  SIGHUP reloads the policy at any time. A new policy is compiled beside the
  old one and swapped in; one that does not load is logged and counted, and
  the last good policy goes on serving. GET /v1/policy shows the active
  digest, where it came from, when it loaded and the last error. Every
  answer carries the digest of the policy that produced it.

Shutdown: on SIGINT or SIGTERM /readyz turns 503 and every answer carries
Connection: close, so each client's next request on a connection is its last
there; after --drain-delay the listener closes, so new connections are refused;
each connection then ends after its answer, and one idle for --drain-idle is
closed. Connections still open --grace after the listener closed are cut.
Exit 0 if none was.

Exit status:
  0  the service stopped cleanly after SIGINT or SIGTERM.
  2  a usage error: unknown flag, bad value, stray argument.
  1  the rules failed to load at start, the address could not be bound, requests were
     still open when --grace ran out, or the service failed while running.

Environment:
  ADVISE_ADDR   listen address when --addr is not given.
  ADVISE_TOKEN  bearer token when --token is not given.

Examples:
  advise serve
  ADVISE_ADDR=0.0.0.0:9000 advise serve
  advise serve --addr :8080 --eval-timeout 1s --grace 30s --drain-delay 5s
  ADVISE_TOKEN=$(openssl rand -hex 24) advise serve --cors-origin https://tools.example.com
  advise serve --policy examples/org-policy --watch
  advise serve --bundle-url https://bundles.example.com/advise/org.tar.gz --verification-key org.pem
`, defaultAddr, envAddr, server.DefaultBodyLimit, server.DefaultEvalTimeout, server.WriteTimeout,
	server.DefaultMaxInFlight(), server.DefaultShutdownGrace, server.DefaultDrainIdle, envToken)
