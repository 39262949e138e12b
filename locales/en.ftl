# clawdoc's CLI strings, English. Each id has its zh-TW in zh-TW.ftl (a test
# fails when one is missing); zh-CN is derived from zh-TW. Rule and
# flowchart texts are not here: they live in rules/*.toml beside their data.

## Errors
error-prefix = error:
warning-rule-skipped = warning: rule skipped:
error-caused-by = caused by: { $cause }
lang-bad-env = CLAWDOC_LANG={ $value } is not a language clawdoc speaks (en, zh-TW, zh-CN)

## Fix tiers
tier-safe = safe
tier-unsafe = unsafe
tier-display-only = display-only

## Doctor: areas (one per probe)
area-config = config
area-pid = pid
area-lock = lock
area-port = port
area-health = health
area-oom = oom
area-disk = disk
area-token = token
area-display = display
area-resources = resources
area-runtime = runtime

## Doctor
# The target a command looks at: one description, two lines that use it.
target-default = default
target-by-flag = chosen with --target / CLAWDOC_TARGET
target-auto-var = auto: { $var } is set
target-auto-config = auto: { $path } exists
target-auto-process = auto: an openclaw-gateway process runs (pid { $pid })
target-auto-none = auto: no OpenClaw install seen
target-auto-profile = auto: --profile { $name }
target-desc = { $name } ({ $chosen }; config { $config }, port { $port })
doctor-header = clawdoc doctor: target { target-desc }
target-line = target: { target-desc }
doctor-no-problems = No problems found.
doctor-log-not-analysed = log not analysed: the rules did not build: { $error }
doctor-history = (log line { $line } matched `{ $rule }` but it is not current: { $why })
doctor-dry-run = Dry run: nothing was changed. These fixes would run:
doctor-none = (none)
doctor-applied = Applied:
doctor-nothing-applied = (nothing)
doctor-after-fixing = After fixing:
doctor-verified = Verified: { $mark } { $summary }
doctor-undo-journal = Undo with `clawdoc undo` (journal: { $journal })
doctor-left = Left for you:
doctor-fixed-left = Fixed { $fixed }, left { $left }.
doctor-still-unhealthy = The gateway is still not healthy and no rule explains why: see the areas marked [✗] / [?] above and `{ $logs }`.
doctor-problems = { $count } problem(s). Run `clawdoc doctor --fix` to apply the safe fixes (`--unsafe-fixes` for the rest).
doctor-finished = Finished in { $ms } ms
doctor-unexplained = { $mark } The gateway is not healthy and no rule explains why. Look at:
doctor-unsafe-fix = unsafe fix
finding-log-line = log line { $line }: { $text }
finding-confirmed = confirmed: { $why }
finding-evidence = evidence: { $what }
evidence-line = { $area }: { $summary }
finding-fix = fix ({ $tier }): { $title }
finding-see = see: { $section }
why-unsafe = why unsafe: { $why }
prompt-apply = Apply: { $what }?

## Probe summaries (the library's Evidence messages; the English is what JSON carries as `summary`)
probe-internal-error = the { $probe } probe failed internally: { $why }
probe-thread-died = the { $probe } probe thread died
probe-runtime-embedded = the embedded gateway is this binary (no runtime to check)
and-more = { $text } (and { $count } more)
config-missing = no config file at { $path }
config-unreadable = cannot read { $path }: { $error }
config-corrupt = corrupt config: { $error }
config-problem = { $at }: { $problem }
config-mode-unset = { $path }: gateway.mode is not set (gateway start is blocked)
config-token-unpinned = { $path }: valid, but gateway.token is not pinned (paired devices break on restart)
config-valid = { $path }: valid (mode { $mode }, port { $port }, token pinned)
disk-no-dir = no existing directory above { $path }
disk-bad-fixture = bad disk fixture: { $why }
disk-cannot-statvfs = cannot statvfs { $path }: { $error }
disk-free = { $bytes } free, { $inodes } inodes free
disk-full = { $path } is full: { $free }
disk-not-writable = cannot create files in { $path }
disk-not-writable-because = cannot create files in { $path } ({ $error })
disk-low = { $path } is low on space: { $free }
disk-ok = { $path }: { $free }, writable
display-headless = headless: neither DISPLAY nor WAYLAND_DISPLAY is set
display-graphical = graphical session ({ $var }={ $value })
joined = { $first }; { $second }
pid-n = pid { $pid }
health-ready = { $url } is ready ({ $status }, { $ms } ms)
health-not-ready = { $url } answered { $status }, not ready
health-not-ready-detail = { $url } answered { $status }, not ready: { $detail }
health-not-clawdoc = a server that is not a clawdoc gateway
health-not-ours = { $url } answers, but it is { $who }, not this home's gateway
health-nothing-answers = nothing answers on { $url }: { $error }
health-hung = { $url } accepted the connection but did not answer within { $ms } ms (hung?)
health-cannot-check = cannot check { $url }: { $error }
handshake-invalid-config = the gateway answers requests with `GatewayRequestError: Invalid Config`
handshake-token-mismatch = this CLI's device token was rejected (close 4008, device token mismatch)
handshake-pairing-required = this CLI's device is not paired (close 1008, pairing required)
handshake-refused = the WebSocket connection was refused
handshake-failed = the WebSocket handshake failed
lock-cannot-tell = cannot tell whether { $path } is held: { $error }
lock-absent = no lock file at { $path }
lock-held = { $path } is held by { $who }
lock-stale = stale lock file { $path }: no process holds it
lock-stale-left-by = stale lock file { $path }: no process holds it (left by pid { $pid })
oom-note-low-memory = { $text }; memory is low now
oom-note-cgroup-kills = { $text }; this cgroup has OOM kills
oom-no-kernel-log = cannot read the kernel log ({ $why })
oom-killed-gateway = the kernel OOM killer killed the gateway (pid { $pid }, { $name })
oom-killed-others = no OOM kill of the gateway, but of others ({ $others })
oom-none = no OOM kill in the kernel log
pid-file-malformed = { $error }
pid-file-unreadable = { $error }
pid-gateway-hung = gateway pid { $pid } is { $state }: it will not answer requests or a polite stop
pid-gateway-alive = gateway pid { $pid } is alive ({ $state })
proc-state-running = running
proc-state-sleeping = sleeping
proc-state-disk-sleep = disk_sleep
proc-state-stopped = stopped
proc-state-zombie = zombie
proc-state-dead = dead
proc-state-idle = idle
proc-state-other = other
pid-stale-dead = stale pid file { $path }: no process has pid { $pid }
pid-stale-stranger = stale pid file { $path }: { $reason } (it is `{ $command }`)
pid-cannot-inspect = cannot inspect pid { $pid } from { $path }: { $error }
pid-none-lock-held = no pid file, but the gateway lock is held by pid { $pid }
pid-none = no pid file: no gateway recorded as running
port-ephemeral-note = { $text } (port { $port } is in the kernel's ephemeral range { $lo }-{ $hi }: outgoing connections take such ports; pick one below { $lo })
port-free = port { $port } is free
port-free-bound = port { $port } is free (bound and released on { $ip })
port-cannot-bind = port { $port } cannot be bound on { $ip }: { $error }
port-connection = a { $state } connection to { $remote }
port-socket-not-in-tables = a socket not in the TCP tables
port-in-use-held = port { $port } is not listening but cannot be bound on { $ip } (address in use): it is the local end of { $what } held by pid { $pid } ({ $name }): { $command }
port-in-use-no-owner = port { $port } is not listening but cannot be bound on { $ip } (address in use): { $what }, owner not found
port-cannot-read-tables = cannot read { $root }/net/tcp or tcp6
port-listening = port { $port } is listening
port-holder-hidden = port { $port } is listening, but its holder is hidden ({ $unreadable } processes' file descriptors are unreadable; try as root)
port-holder-none = port { $port } is listening, but no process owns the socket (it may have just exited)
port-cannot-scan = port { $port } is listening; cannot scan processes: { $error }
port-held-by-gateway = port { $port } is held by the gateway (pid { $pid })
port-held-by-other = port { $port } is held by another process: pid { $pid } ({ $name }): { $command }
resources-cannot-read = cannot read { $root }/meminfo: { $error }
resources-no-swap = no swap
resources-swap = swap { $free } free of { $total }
resources-memory = { $available } of { $total } memory available, { $swap }
resources-memory-load = { $available } of { $total } memory available, { $swap }, load { $load }
resources-low = low memory: { $text }
token-ok = gateway token pinned; CLI device identity present
token-unpinned = gateway.token is not pinned: every restart invalidates paired devices
token-pinned-but = gateway token pinned, but { $why }
token-but-store = { $text }; but { $why }
token-no-identity = this CLI has no device identity yet (not paired)
token-identity-unusable = { $error }
token-device-store-unreadable = the device store is unreadable, so the gateway refuses every device (1011): { $error }
oc-config-not-private = { $path }: mode { $mode }, readable by others (OpenClaw writes it 0600)
oc-config-token-unset = { $path }: valid, but gateway.auth.token is not set (a new runtime token at every start)
oc-config-valid = { $path }: valid (mode { $mode }, port { $port })
oc-no-lock = no gateway lock in { $dir } (nor, for releases before 2026.8, in { $shared })
oc-pid-running = the gateway runs as pid { $pid } ({ $title }, { $state })
oc-pid-dead = the gateway lock names pid { $pid }, which is not running
oc-pid-stranger = the gateway lock names pid { $pid }, now another process: { $reason }
oc-pid-cannot-look = cannot look at pid { $pid }: { $error }
oc-lock-stale = stale lock { $path }: its owner is gone
oc-lock-held = { $dir } is held by the running gateway
oc-locks-fine = gateway locks present, none stale
oc-health-refused = nothing answers on { $url } ({ $error })
oc-health-hung = { $url }/healthz accepted the connection but did not answer within { $ms } ms (hung?)
oc-health-cannot-connect = cannot connect to { $url }: { $error }
oc-health-error = { $url }/healthz: { $error }
oc-health-ready = { $url }: live and ready ({ $ms } ms)
oc-health-not-ready = { $url }: /readyz answers { $code } (not ready)
oc-health-failing = { $url }: /readyz answers { $code } (not ready, failing: { $failing })
oc-health-live-only = { $url }: live, but /readyz did not answer
oc-health-answers = { $url }/healthz answers { $code }
oc-disk-logs-state = logs: { $logs }; state: { $state }
oc-disk-state-logs = state: { $state }; logs: { $logs }
oc-disk-large-log = { $text }; { $path } is { $size }
oc-token-unreadable = cannot read the token setting: { $error }
oc-token-from-env = the token comes from OPENCLAW_GATEWAY_TOKEN
oc-token-set = gateway.auth.token is set (persisted)
oc-token-runtime-only = the running gateway uses a runtime-only token: every restart makes a new one and paired clients are refused (4008)
oc-token-unset = gateway.auth.token is not set: each start makes a different runtime token
oc-node-from-log = the gateway log
oc-node-from-package = the running gateway's node package
oc-node-unseen = no Node version seen (no gateway log line, no running gateway)
oc-node = Node { $version } (from { $source })
oc-node-unsupported = Node { $version } (from { $source }): OpenClaw needs >= 24.16 or >= 26.1 (node:sqlite)

## Lookup
lookup-what-it-means = What it means
lookup-why = Why, on a typical machine
lookup-fixes = Fixes
lookup-unsafe-because = unsafe because: { $why }
lookup-fix-hint = `clawdoc doctor --fix` applies safe fixes; add --unsafe-fixes for the others.
lookup-flowchart = Flowchart:
lookup-confirm = Confirm on this machine:
lookup-confirm-how = clawdoc lookup --probe … or clawdoc doctor (probes: { $probes })
lookup-line = line { $line }: { $text }
lookup-line-no = line { $line }
lookup-captured = captured: { $captures }
lookup-other = Other candidates
lookup-paste = Paste the error or log excerpt, then press Ctrl-D (or pass it as an argument).
lookup-empty = No rule matched: the input is empty.
lookup-empty-hint = Paste an error message: clawdoc lookup 'gateway not connected', or pipe a log excerpt on stdin.
lookup-routine-only = Nothing to fix: only routine lines matched.
lookup-routine = Routine lines (a healthy gateway prints them too; not a cause)
lookup-no-match = No rule matched.
lookup-template = Your input as a template (numbers, ports, pids, ids and paths masked):
lookup-more-lines = … ({ $count } more lines)
lookup-possible = Possible causes (guesses from similar wording, not a match)
lookup-possible-score = (score { $score }, line { $line })
lookup-possible-hint = These are guesses: check with `clawdoc lookup --probe` or `clawdoc doctor` before acting on them.
lookup-closest = Closest rules
lookup-similarity = (similarity { $score })
lookup-teach = Teach clawdoc this message
lookup-teach-hint = (scaffolds a rule file with your paste as its first example; then edit it and run `clawdoc rules test`)
lookup-nothing-to-probe = Nothing matched, so there is nothing to probe. Try `clawdoc doctor`.
lookup-checked = Checked on this machine:
verdict-confirmed = confirmed
verdict-refuted = refuted
verdict-inconclusive = inconclusive
lookup-run-fix = Run `clawdoc doctor --fix` to apply the safe fixes for what is confirmed.

## Walk
walk-no-tty = `clawdoc walk` asks questions and stdin is not a terminal: pass --answers FILE, or run `clawdoc doctor` for a non-interactive diagnosis
walk-probed-first = Probed this machine first; only what the probes cannot tell is asked.
walk-could-not-tell = (the probes could not tell: { $why })
walk-how = How we got here:
walk-by-probes = probes: { $why }
walk-by-log = the gateway log shows { $category }
walk-by-message = your message looks like { $category }
answer-yes = yes
answer-no = no
walk-by-you = you
walk-confirmed = confirmed on this machine: { $why }
walk-refuted = the probes do not see it now: { $why }
walk-inconclusive = not confirmed by probes: { $why }
walk-what-to-do = what to do: { $title }
walk-fix = Fix ({ $tier }): { $title }
walk-after-still = After fixing: the problem is still there
walk-after-gone = After fixing: the problem is gone
walk-undo = Undo with `clawdoc undo`.
walk-no-answer = { $file }: no answer left for: { $question }
walk-not-a-choice = { $place }: `{ $answer }` is not a choice for "{ $question }" (1–{ $max })
walk-not-yes-no = { $place }: `{ $answer }` is not yes or no for "{ $question }"
walk-unknown-rule = the flowchart names rule `{ $rule }`, which is not loaded

## Rules
rules-did-you-mean = { " " }(did you mean `{ $id }`?)
rules-no-such = no rule `{ $id }`{ $hint }; `clawdoc rules list` shows them all
rules-show-line = category { $category } · severity { $severity } · { $role } · origin { $origin }
rules-show-patterns = Patterns
rules-show-conditions = Probe conditions
rules-show-conditions-standalone = Probe conditions (standalone: raised from facts alone)
rules-show-confirmed = confirmed
rules-show-refuted = refuted
rules-show-when = { $side } when { $conditions }
rules-show-and = { " " }and{ " " }
rules-show-examples = Examples
rules-show-match = match:
rules-show-no-match = no match:
rules-test-summary = { $rules } rules, { $examples } examples: { $failed } failed
rules-test-not-loaded = , { $count } rule files did not load
lint-summary = { $rules } rules loaded, { $problems } problems, { $untranslated } untranslated

# `clawdoc rules eval`
eval-head = { $files }: { $rows } rows ({ $in_category } in a category, { $other } other), { $rules } rules, { $mode }
eval-mode-patterns = pattern matches only
eval-mode-guesses = pattern matches, else the paraphrase stage's guess
eval-overall = Overall: top-1 { $top1 }, false positives { $fp }
eval-by-split = By split
eval-by-source = By source
eval-by-category = By category
eval-confusion = Confusion matrix (rows: label; columns: prediction, numbered as the rows; none: nothing)
eval-misses = Misses ({ $count })
eval-no-misses = No misses.
eval-misses-hidden = { $count } misses of held-out rows (split = test) not shown: keep them unseen while tuning rules (--show-test-misses lists them)
eval-loso = Leave one source out (each source guessed with an index of the rules' examples and the other sources' rows; patterns are the same)
eval-col-split = SPLIT
eval-col-source = SOURCE
eval-col-rows = ROWS
eval-col-top1 = TOP-1
eval-col-fp = FALSE POSITIVES
eval-col-guessed = GUESSED
eval-col-category = CATEGORY
eval-col-predicted = PREDICTED
eval-col-correct = CORRECT
eval-col-precision = PRECISION
eval-col-recall = RECALL
eval-col-id = ID
eval-col-label = LABEL
eval-col-got = GOT
eval-col-text = TEXT
eval-col-index-rows = INDEX ROWS
eval-col-top1-patterns = TOP-1 PATTERNS
eval-col-top1-guesses = TOP-1 WITH GUESSES
eval-col-fp-patterns = FP PATTERNS
eval-col-fp-guesses = FP WITH GUESSES
eval-none = none
eval-other = other
eval-guess-mark = (guess)
eval-floor-min-top1 = top-1 at least { $floor }
eval-floor-max-fp = false positives at most { $floor }
eval-floor-met = floor met: { $floor } (measured { $value })
eval-floor-missed = floor missed: { $floor } (measured { $value })
eval-floor-nothing = nothing to measure

## Fix actions (what a fix does, shown before it runs)
action-write_default_config = write a default config (mode local, a free port, a pinned token)
action-set_mode_local = set gateway.mode = "local"
action-migrate_deprecated_keys = move deprecated keys to their new names (model → ai.model, port → gateway.port)
action-quarantine_corrupt_config = keep the corrupt config aside and write a default one
action-raise_startup_timeout = raise gateway.startupTimeout to 120 s
action-start_gateway = start the gateway and wait until it is ready
action-restart_gateway = restart the gateway
action-force_stop_gateway = force-stop the verified gateway process (SIGKILL)
action-remove_stale_pid = repair the stale pid file (remove it, or point it back at the gateway holding the lock)
action-remove_stale_lock = remove the stale lock file
action-move_to_free_port = move the gateway to a free port
action-pin_token_and_repair = pin gateway.token and re-pair this CLI's device
action-approve_cli_device = pair this CLI's device with the gateway
action-rebuild_device_store = keep the unreadable device store aside, start a new one and re-pair this CLI (other devices must pair again)
action-advice = show what to do

## Why a rule is confirmed, refuted or undecided (conditions against probe facts)
cond-is-reported = { $fact } is reported
cond-is-not-reported = { $fact } is not reported
cond-observed = { $cond } (observed { $value })
cond-reported = { $cond }: it is reported
cond-not-reported = { $cond }: it is not reported
cond-not-run = probe `{ $probe }` did not run ({ $cond })
cond-inconclusive = probe `{ $probe }` was inconclusive: { $why }
cond-no-fact = probe `{ $probe }` did not report `{ $fact }`
verdict-no-conditions = rule `{ $rule }` declares no probe conditions
verdict-no-confirm = no confirming conditions declared
verdict-not-confirmed = not confirmed: { $why }

## What a fix did, or why it did nothing (the library's messages; the English is what JSON carries)
fix-failed = { $action }: { $error }
fix-not-applied = { $action }: not applied: { $reason }
fix-config-exists = a config file already exists
fix-no-config = there is no config file
fix-no-deprecated-keys = no deprecated keys left
fix-advice-never-applied = display-only advice is never applied
fix-nothing-to-change = nothing to change
fix-quarantined = kept the corrupt config as { $aside } and wrote a default config
fix-port-now = { $text }: gateway.port = { $port }
fix-backup = { $text } (backup: { $backup })
fix-already-running = the gateway was already running (pid { $pid })
fix-started = started the gateway (pid { $pid }, port { $port }) in { $ms } ms
fix-restarted = restarted the gateway ({ $how })
fix-force-stopped = force-stopped the gateway (pid { $pid })
fix-nothing-to-stop = nothing to force-stop: { $why }
fix-no-pid-file = there is no pid file
fix-pid-is-live = pid { $pid } is the live gateway
fix-pid-unknown = cannot tell who pid { $pid } is: { $error }
fix-pid-rewritten = rewrote the stale pid file { $path } for the running gateway (pid { $pid }, which holds the lock)
fix-pid-removed = removed the stale pid file { $path }
fix-no-lock-file = there is no lock file
fix-lock-held = the lock is held by a live process
fix-lock-removed = removed the stale lock file { $path }
fix-pinned-token = pinned a new gateway.token
fix-store-aside = kept the unreadable device store as { $aside }
fix-repaired = re-paired this CLI's device
fix-store-unreadable = the device store is unreadable; `rebuild_device_store` (unsafe) sets it aside
fix-paired = paired this CLI's device with the gateway
fix-store-readable = the device store is readable
fix-store-rebuilt = kept the unreadable device store as { $aside }, started a new one and re-paired this CLI's device (other devices must pair again)
fix-start-already = already running, pid { $pid }, port { $port }
fix-start-pid-port = pid { $pid }, port { $port }
fix-stop-not-running = no gateway was running
fix-stop-stopped = stopped pid { $pid }
fix-stop-stale-removed = removed a stale pid file (dead pid { $pid })
fix-stop-stranger = the pid file named pid { $pid } ({ $name }), which is not the gateway; it was left alone
fix-stop-malformed-removed = removed a malformed pid file ({ $error })
fix-oc-no-cli-run = openclaw is not on PATH; run: { $commands }
fix-oc-no-cli = openclaw is not on PATH
fix-oc-no-such-action = OpenClaw has no such action; see the commands shown
fix-oc-no-pid-file = OpenClaw keeps no pid file (its lock file records the pid)
fix-oc-wrote-config = $ { $command }: wrote { $path } (mode local, a persisted token)
fix-oc-ran = $ openclaw { $command }
fix-oc-command = $ { $command }
fix-oc-quarantined = kept the corrupt config as { $aside }; $ { $command }
fix-oc-nothing-to-stop = no verified gateway process to stop
fix-oc-killed = $ kill -{ $signal } { $pid } (openclaw-gateway, verified)
fix-oc-no-stale-lock = no lock whose owner is gone
fix-oc-locks-removed = removed stale lock(s): { $paths }
fix-oc-started = $ { $command }: pid { $pid }, /readyz 200 on port { $port } after { $secs } s
fix-oc-service-started = $ openclaw gateway start: /readyz 200 on port { $port } after { $secs } s
fix-oc-gone = the gateway is no longer running
fix-oc-pid-changed = pid { $pid } is no longer this state dir's gateway
fix-oc-pid-unproven = pid { $pid } is not provably the gateway
fix-no-journal = not applied: cannot write the undo journal: { $error }
fix-nothing-to-do = nothing to do: { $reason }
verify-connected = gateway ready; this CLI's device is connected
verify-ready = gateway ready (/readyz 200)
verify-handshake = gateway ready; device handshake: { $handshake }
verify-not-probed = health was not probed

## Why a fix was left for you
reason-display-only = display-only
reason-dry-run = dry-run
reason-declined = declined
reason-needs-fix = needs --fix
reason-needs-unsafe-fixes = needs --unsafe-fixes
reason-failed = failed or did not help

## Gateway control (gateway start/stop/restart/status, status, restart)
gw-already-running = gateway already running (pid { $pid }, port { $port })
gw-started = gateway started (pid { $pid }, port { $port }); ready in { $ms } ms
gw-not-running = gateway is not running (no pid file)
gw-stopped = gateway stopped (pid { $pid }, SIGTERM, { $ms } ms)
gw-killed = gateway killed (pid { $pid }, SIGKILL); pid file removed
gw-stale-removed = gateway is not running: removed the stale pid file (pid { $pid } is dead)
gw-stale-stranger =
    gateway is not running: the pid file is stale ({ $reason }).
    pid { $pid } now belongs to `{ $command }`; it was NOT signalled.
gw-stale-stranger-removed = Removed the stale pid file.
gw-malformed-removed = gateway is not running: removed a malformed pid file ({ $error })
gw-at-pid = pid { $pid }, port { $port }, mode { $mode }
gw-at = port { $port }, mode { $mode }
gw-status-running = gateway running ({ $at }); /health ready in { $ms } ms
gw-status-starting = gateway starting ({ $at }); /health answers { $status }
gw-status-stopped = gateway stopped ({ $at })
gw-status-other = gateway { $state } ({ $at })
gw-config-error = config: { $error }
gw-last-log-lines = last gateway log lines:
gw-hint = hint: { $hint }
gw-hint-force-stop = run `clawdoc gateway stop --force` (SIGKILL to the verified gateway pid only), then `clawdoc gateway start`
gw-hint-see-logs = see `clawdoc logs`, or run `clawdoc doctor` for the cause
client-hint-not-connected = the gateway is not running: `clawdoc gateway start` (or `clawdoc doctor`)
client-hint-token-mismatch = the gateway token changed since this device paired (not pinned?): `clawdoc doctor --fix` pins it and re-pairs
client-hint-pairing-required = this device is not paired: `clawdoc devices list`, then `clawdoc devices approve ID`
client-hint-invalid-config = `clawdoc config validate` lists the keys; fix them and restart the gateway
client-hint-no-display = this host has no display: use telegram or an API provider, or run the gateway in a desktop session
gw-note-stale-removed = note: removed a stale pid file (pid { $pid } is dead)
gw-note-stranger-removed = note: removed a stale pid file: { $reason }; pid { $pid } ({ $name }) was left alone
gw-note-malformed-removed = note: removed a malformed pid file: { $error }
gw-progress-existing = a gateway (pid { $pid }) is starting; waiting for /health
gw-progress-spawned = starting the gateway (pid { $pid }) on :{ $port }
gw-progress-waiting = waiting for /health ({ $secs }s)
gw-progress-waiting-seen = waiting for /health ({ $secs }s, /health { $status })

## scan
scan-head = { $name }: { $lines } lines, { $matched } matched
scan-no-match = no rule matched
scan-col-rule = RULE
scan-col-category = CATEGORY
scan-col-count = COUNT
scan-col-first = FIRST
scan-col-last = LAST
scan-col-sample = SAMPLE
scan-explain-one = explain one: clawdoc rules show <RULE>, or clawdoc lookup '<line>'
scan-head-routine = , { $routine } routine
scan-routine = routine lines (a healthy gateway prints them too; not problems):

## devices, send, login
devices-paired = paired devices ({ $count }):
devices-paired-at = paired { $when }
devices-pending = pending requests ({ $count }):
devices-requested = from { $peer }  requested { $when }
devices-approve-hint = approve with: clawdoc devices approve ID
devices-approved = approved { $id }: its next connect with the claim it asked with receives its device token (once)
devices-already-paired = { $id } is already paired
devices-removed = removed paired device { $id }: it must pair again
devices-dropped = dropped the pending request of { $id }
send-sent = [{ $channel }] sent { $chars } chars
send-failed = [{ $channel }] send failed
login-open-url = [{ $provider }] open this URL to link the device: { $url }
login-done = [{ $provider }] logged in
login-failed = [{ $provider }] login failed

## logs
logs-none-yet = no gateway log yet: { $path } does not exist
logs-waiting = waiting for { $path } to appear…

## setup, config
setup-exists = a config already exists at { $path }; pass --force to replace it (the old one is kept as a backup), or change single keys with `clawdoc config set`
setup-no-tty = `clawdoc setup` asks questions and needs a terminal; without one, run `clawdoc setup --non-interactive [--mode local] [--port N]`
setup-token-kept = existing pinned token kept
setup-token-new = new pinned token
setup-wrote = wrote { $path } (mode { $mode }, port { $port }, { $token }; file mode 0600)
setup-backup = previous config kept as { $path }
setup-next = next: `clawdoc gateway start`

## File and input errors, `rules new`, `setup` questions
err-reading = reading { $path }
err-writing = writing { $path }
err-creating = creating { $path }
err-opening = cannot open { $path }
err-reading-stdin = reading stdin
err-writing-journal = writing the undo journal
err-not-utf8-not-editing = { $path }:{ $line }:{ $col }: the file is not valid UTF-8 (corrupt or binary); not editing it
err-not-editing = { $what }; not editing it
err-no-schema = no schema `{ $name }`; one of: { $names }
lookup-batch-not-json = <stdin>:{ $line }:{ $col }: not a JSON string: { $error }
rules-new-no-dir = no rule directory: pass --dir or --rules-dir
rules-new-empty-paste = the paste is empty: pass the message as TEXT or on stdin
rules-new-invalid =
    cannot scaffold `{ $id }`:
    { $errors }
rules-new-exists = { $path } already exists; pick another id or edit it
rules-new-wrote = wrote { $path }
rules-new-next = next: edit it, then `clawdoc rules test` (it loads from { $dir })
setup-ask-mode = Gateway mode
setup-ask-port = Gateway port
setup-ask-mode-local = local  — listen on 127.0.0.1 only (recommended)
setup-ask-mode-remote = remote — listen on all interfaces
setup-ask-mode-hybrid = hybrid — all interfaces; the local CLI is still trusted over loopback
setup-ask-failed = reading the answer
config-set-done = set { $key } = { $value } in { $path }
config-unset-done = removed { $key } from { $path }
config-unset-absent = { $key } is not set in { $path }
config-get-ignored = warning: { $at }: { $problem }; it is ignored
config-get-unset = { $key } is not set
config-valid-ok = { $path }: ok
config-problems =
    { $count ->
        [one] 1 problem in { $path }
       *[other] { $count } problems in { $path }
    }

## Undo
undo-run = Undid doctor run { $run }:
undo-restored = restored { $path }
undo-removed = removed { $path } (it did not exist before)
undo-not-reverted = not reverted (process change): { $what }
undo-no-change = no file had changed
undo-nothing = nothing to undo: no doctor run with applied fixes in { $dir }

## Command line help (clap): shown in zh-TW/zh-CN; English keeps clap's own texts
help-usage = Usage:
help-commands = Commands
help-arguments = Arguments
help-options = Options
clap-unknown-command = unrecognized subcommand '{ $name }'
clap-unknown-argument = unexpected argument '{ $arg }' found
clap-missing-argument = the following required arguments were not provided: { $arg }
clap-invalid-value = invalid value '{ $value }' for '{ $arg }'
clap-invalid-value-one-of = invalid value '{ $value }' for '{ $arg }' (possible values: { $valid })
clap-did-you-mean = tip: a similar one exists: '{ $what }'
clap-more-help = For more information, try '--help'.
arg-color = When to colour output (NO_COLOR is honoured under `auto`)
arg-lang = Output language: en, zh-TW or zh-CN (else CLAWDOC_LANG, else the locale: LC_ALL, LC_MESSAGES, LANG; else English)
arg-rules-dir = Extra rule directory (rules with the same id replace the built-ins)
arg-target = Which gateway to diagnose and fix: embedded, openclaw or auto
arg-json = Print JSON instead of text
about = Diagnose and fix an OpenClaw-style AI gateway: paste an error, run the doctor, or walk the flowchart
about-lookup = Explain a pasted error message or log excerpt (stdin when no TEXT)
about-scan = Run log files through the rules: counts, first/last line, a sample
about-rules = List, show, test, lint and score the rules; print their patterns; scaffold one
about-rules-list = List every rule with its category, severity and origin
about-rules-show = Show one rule: meaning, causes, patterns, probes, fixes, examples
about-rules-test = Run every rule's examples: Missing (should match, did not), Noisy (matched, should not)
about-rules-lint = Check every rule file and report problems with file:line:col
about-rules-eval = Score the rules on labelled pastes: top-1, false positives, per category, the misses
about-rules-patterns = Print every pattern, one per line (usable as `rg -f`; capture names dropped)
about-rules-facts = List the probe facts rule conditions may name
about-rules-new = Scaffold a rule file, e.g. from a message no rule knows
about-doctor = Probe this machine, explain every problem found, and fix what the flags allow
about-undo = Revert the fixes applied by the last `doctor --fix` run
about-walk = Walk the troubleshooting flowchart interactively (probes answer first)
about-flowchart = Draw the flowchart from the rule data
about-schema = Print the JSON Schema of a `--json` document (also in docs/schemas/)
about-gateway = Run and control the embedded gateway
about-gateway-run = Run the gateway in the foreground (Ctrl-C or SIGTERM stops it)
about-gateway-start = Start the gateway in the background and wait until /health is ready
about-gateway-stop = Stop the gateway (only the verified gateway pid is ever signalled)
about-gateway-restart = Restart the gateway
about-gateway-status = Show the gateway state
about-restart = Restart the gateway (same as `gateway restart`)
about-status = Show whether the gateway runs and answers (same as `gateway status`)
about-logs = Show the gateway log
about-setup = Write a config: mode, port and a pinned token
about-config = Read and change the gateway config (comments are kept)
about-config-get = Print the effective value of a key (file, then environment overrides)
about-config-set = Set a key; the value is checked and the file's comments are kept
about-config-unset = Remove a key from the file
about-config-validate = List every problem in the config with file:line:col
about-config-path = Print the config file path
about-devices = List, approve and remove paired devices
about-devices-list = List paired devices and pending pairing requests
about-devices-approve = Approve a pending pairing request
about-devices-remove = Remove a paired device (it must pair again) or drop a pending request
about-send = Send a message through the gateway as this CLI's device
about-login = Start a channel login through the gateway (e.g. `whatsapp`)
about-completions = Print a shell completion script (bash, zsh, fish, powershell, elvish)
about-man = Print the man page (roff) to stdout
# Man page section headings (clap_mangen's, for `clawdoc man`)
man-name = NAME
man-synopsis = SYNOPSIS
man-description = DESCRIPTION
man-options = OPTIONS
man-subcommands = SUBCOMMANDS
man-extra = EXIT CODES
man-version = VERSION
man-authors = AUTHORS
about-help = Print this message or the help of the given subcommand(s)
arg-help = Print help
arg-version = Print version
help-exit-codes =
    Exit codes (every command):
      0  healthy, nothing found, or done; also lookup/scan finding only
         routine lines, or lookup only guessing (possible causes, no match)
      1  a problem found: doctor findings, an error lookup/scan recognised,
         failing rule tests or lint, config validate errors, gateway not running,
         a rules eval floor (--min-top1, --max-fp) missed
      2  usage or runtime error (bad input names file:line:col)

# `clawdoc status` on a target other than the embedded gateway
tstatus-line = gateway { $state } ({ $pid }port { $port }; { $ready }{ $failing })
tstatus-pid = pid { $pid },{" "}
tstatus-failing = , failing: { $failing }
tstatus-ready = ready
tstatus-not-ready = not ready
tstatus-state-running = running
tstatus-state-starting = starting
tstatus-state-stopped = stopped
tstatus-state-stale = stale
tstatus-state-hung = hung
tstatus-log = log: { $path }

# Per-command option help (`arg-<id>`, or `arg-<command path>-<id>` where
# one id means different things in different commands); English --help
# shows clap's own text, these keep the catalogues in step
arg-profile = OpenClaw profile, as `openclaw --profile NAME`: state dir ~/.openclaw-NAME (unless OPENCLAW_STATE_DIR is set), its own default port and log file; implies the OpenClaw target
arg-shell = The shell to complete for
arg-key = A dotted key, e.g. gateway.port
arg-config-set-key = A dotted key, e.g. gateway.mode
arg-id = Device id (see `clawdoc devices list`)
arg-rules-new-id = The new rule's id (file stem: lowercase, digits, dashes)
arg-dry-run = Print the plan (with config diffs) and change nothing
arg-fix = Apply safe fixes
arg-unsafe-fixes = Also apply unsafe fixes (each is asked on a terminal unless --yes)
arg-verbose = Show per-probe timings and facts
arg-yes = Answer yes to every confirmation
arg-walk-yes = Apply every offered fix without asking (display-only ones are shown)
arg-format = Output format
arg-timeout = Seconds to wait for readiness (default: gateway.startupTimeout, 60)
arg-gateway-restart-timeout = Seconds to wait for the old gateway to stop
arg-restart-timeout = Seconds to wait for the old gateway to stop
arg-gateway-stop-timeout = Seconds to wait for the gateway to exit
arg-force = SIGKILL instead of SIGTERM, and remove the pid file (for a hung gateway)
arg-setup-force = Replace an existing config (it is kept as config.toml.bak.1). The pinned token is kept unless --rotate-token is given
arg-provider = Provider to log in with (e.g. whatsapp)
arg-follow = Keep printing lines as they are written (Ctrl-C to stop)
arg-tail = How many of the last lines to show (0: none, only new ones with --follow)
arg-batch = Many pastes in one run: stdin is JSON lines, each a JSON string (one paste, `\n` for its line breaks); prints one `--json` document per input line, in order. Exit 1 when any paste shows a problem
arg-probe = Also run the matched rules' probes to confirm or refute them on this machine (read-only)
arg-text = The error text; read from stdin when absent. Any bytes (invalid UTF-8 is read lossily, like stdin)
arg-rules-new-text = The pasted text (stdin when absent)
arg-rules-eval-files = Eval files: TSV with a header `id, category, text[, source, split]` or JSON lines (`-` for stdin)
arg-guesses = Also count the paraphrase stage's guess when no pattern matched
arg-leave-one-source-out = Also score each source with a guess index built from the rules' examples and the other sources' rows only
arg-min-top1 = Exit 1 when top-1 accuracy is below PCT percent
arg-max-fp = Exit 1 when the false-positive rate is above PCT percent
arg-show-test-misses = Also list the misses of held-out rows (split = test)
arg-dir = Directory to write to (default: --rules-dir, else $XDG_CONFIG_HOME/clawdoc/rules)
arg-from-paste = Use this text (or stdin when no TEXT) as the first example and pattern
arg-files = Log files (`-` for stdin)
arg-name = lookup, lookup-probe, scan, rules-list, rules-show, rules-test, rules-lint, rules-eval, walk, doctor, status, target-status, undo, flowchart, devices, config-validate
arg-channel = Channel to send on (e.g. telegram)
arg-mode = local (127.0.0.1 only), remote (all interfaces) or hybrid
arg-non-interactive = Take every answer from the flags (defaults: mode local, port 3001); needed when there is no terminal
arg-port = The gateway port (1-65535)
arg-rotate-token = With --force: write a new token (every paired device must re-pair)
arg-answers = Read answers from FILE, one per line (a choice number, or yes/no), instead of prompting. Needed when stdin is not a terminal
arg-message = The error message you see; picks the first question's answer

# clap's bracketed notes after an option's help, in the reader's language
help-note-env = {" "}[env: { $var }]
help-note-default = {" "}[default: { $value }]
help-note-possible = {" "}[possible values: { $values }]
