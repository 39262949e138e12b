#!/usr/bin/env bash
# Installs the real OpenClaw gateway for clawdoc's OpenClaw tests and benches:
# Node 24 from the npm registry (the `node` package brings a real node binary)
# and a pinned `openclaw`, both with npm, into a cache directory outside the
# repository. Idempotent: does nothing when both are already installed at the
# pinned versions. Works from a machine whose system node is older (v20): the
# system npm only installs node@24; openclaw is installed by node 24's npm.
#
# Usage: tests/openclaw/install.sh            installs (or checks), prints the env
#        eval "$(tests/openclaw/install.sh --env)"   sets PATH etc. in this shell
# Env:   CLAWDOC_OPENCLAW_CACHE (default $HOME/.cache/clawdoc-openclaw)
#        OPENCLAW_VERSION, OPENCLAW_NODE_VERSION (override the pins)
# Writes $CACHE/env.sh (the same lines as --env) for `source`.
set -euo pipefail

# Pins (npm registry, 2026-11-29): openclaw 2026.9.6 is build eb377ac
# (`openclaw --version` prints "OpenClaw 2026.9.6 (eb377ac)"); its engines
# field asks for node >=24.16.0 <25 || >=26.1.0.
OPENCLAW_VERSION=${OPENCLAW_VERSION:-2026.9.6}
NODE_VERSION=${OPENCLAW_NODE_VERSION:-24.21.0}
CACHE=${CLAWDOC_OPENCLAW_CACHE:-$HOME/.cache/clawdoc-openclaw}

export OPENCLAW_NO_AUTO_UPDATE=1 DO_NOT_TRACK=1 OPENCLAW_DISABLE_BONJOUR=1
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false

env_lines() {
    cat <<EOT
export PATH="$CACHE/openclaw/node_modules/.bin:$CACHE/node/node_modules/.bin:\$PATH"
export OPENCLAW_NO_AUTO_UPDATE=1 DO_NOT_TRACK=1 OPENCLAW_DISABLE_BONJOUR=1
export CLAWDOC_OPENCLAW_CACHE="$CACHE" CLAWDOC_OPENCLAW_VERSION="$OPENCLAW_VERSION"
EOT
}

# The version recorded in an installed package.json, or nothing.
installed() {
    local pkg=$1
    [[ -f $pkg/package.json ]] || return 0
    sed -n 's/^  "version": "\(.*\)",\{0,1\}$/\1/p' "$pkg/package.json" | head -1
}

# npm install PACKAGE into DIR (a private package.json keeps it self-contained).
npm_into() {
    local dir=$1 spec=$2
    shift 2
    mkdir -p "$dir"
    [[ -f $dir/package.json ]] || echo '{"name":"clawdoc-openclaw-cache","private":true}' >"$dir/package.json"
    (cd "$dir" && "$@" install --no-save --loglevel=error "$spec" >&2)
}

install_all() {
    local node_bin=$CACHE/node/node_modules/.bin
    if [[ $(installed "$CACHE/node/node_modules/node") != "$NODE_VERSION" || ! -x $node_bin/node ]]; then
        echo "installing node@$NODE_VERSION into $CACHE/node" >&2
        command -v npm >/dev/null || { echo "error: npm is needed to install node@$NODE_VERSION" >&2; exit 2; }
        npm_into "$CACHE/node" "node@$NODE_VERSION" npm
    fi
    local got
    got=$("$node_bin/node" --version)
    [[ $got == "v$NODE_VERSION" ]] || { echo "error: $node_bin/node is $got, want v$NODE_VERSION" >&2; exit 1; }

    if [[ $(installed "$CACHE/openclaw/node_modules/openclaw") != "$OPENCLAW_VERSION" ]]; then
        echo "installing openclaw@$OPENCLAW_VERSION into $CACHE/openclaw" >&2
        # npm under node 24: node 24 first on PATH, and npm's `#!/usr/bin/env
        # node` then runs it with node 24 (openclaw's install scripts too).
        PATH="$node_bin:$PATH" npm_into "$CACHE/openclaw" "openclaw@$OPENCLAW_VERSION" npm
    fi
    got=$(PATH="$node_bin:$PATH" "$CACHE/openclaw/node_modules/.bin/openclaw" --version)
    [[ $got == *"$OPENCLAW_VERSION"* ]] || { echo "error: openclaw --version says '$got', want $OPENCLAW_VERSION" >&2; exit 1; }
    env_lines >"$CACHE/env.sh"
    echo "ok: $got on node v$NODE_VERSION in $CACHE (source $CACHE/env.sh)" >&2
}

case ${1:-} in
--env) install_all; env_lines ;;
"") install_all; env_lines ;;
*) echo "usage: $0 [--env]" >&2; exit 2 ;;
esac
