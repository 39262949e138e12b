# clawdoc's CLI strings, English. Each id has its zh-TW in zh-TW.ftl (a test
# fails when one is missing); zh-CN is derived from zh-TW. Rule and
# flowchart texts are not here: they live in rules/*.toml beside their data.

## Errors
error-prefix = error:
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
doctor-header = clawdoc doctor: target { $name } ({ $chosen }; config { $config }, port { $port })
target-line = target: { $name } ({ $chosen }; config { $config }, port { $port })
doctor-no-problems = No problems found.
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
finding-fix = fix ({ $tier }): { $title }
finding-see = see: { $section }
why-unsafe = why unsafe: { $why }
prompt-apply = Apply: { $what }?

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
lint-summary = { $rules } rules loaded, { $problems } problems, { $untranslated } untranslated

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

## Why a fix was left for you
reason-display-only = display-only
reason-dry-run = dry-run
reason-declined = declined
reason-needs-fix = needs --fix
reason-needs-unsafe-fixes = needs --unsafe-fixes
reason-failed = failed or did not help

## Undo
undo-run = Undid doctor run { $run }:
undo-restored = restored { $path }
undo-removed = removed { $path } (it did not exist before)
undo-not-reverted = not reverted (process change): { $what }
undo-no-change = no file had changed
undo-nothing = nothing to undo: no doctor run with applied fixes in { $dir }
