# Shared by the bench scripts: `require TOOL=PACKAGE …` makes sure each tool
# is on PATH, installing the Debian packages of the missing ones when run as
# root with apt-get, else exiting 2 with the command to run.
require() {
    local missing=() packages=() pair tool
    for pair in "$@"; do
        tool=${pair%%=*}
        command -v "$tool" >/dev/null 2>&1 && continue
        [[ -x /usr/sbin/$tool ]] && continue
        missing+=("$tool")
        packages+=("${pair#*=}")
    done
    ((${#missing[@]})) || return 0
    if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
        echo "installing: ${packages[*]}" >&2
        apt-get update -qq >/dev/null
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null
    else
        echo "missing tools: ${missing[*]} (apt-get install ${packages[*]})" >&2
        exit 2
    fi
}
