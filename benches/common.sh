# Sourced by the bench scripts: the xuncha binary to measure and the tools a script needs.
#
#   . "$(dirname "$0")/common.sh"; need ab apache2-utils
#
# Sets `bin` to `xuncha` from PATH, else target/release/xuncha, else target/debug/xuncha,
# and leaves the working directory at the repository root.
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bin=$(command -v xuncha || true)
for b in target/release/xuncha target/debug/xuncha; do
    [ -n "$bin" ] || { [ -x "$b" ] && bin=$PWD/$b; }
done
[ -n "$bin" ] || { echo "no xuncha binary: cargo build --release first" >&2; exit 2; }

# need TOOL PACKAGE: stop with a hint when the tool is missing
need() {
    command -v "$1" >/dev/null || { echo "$1 missing: apt-get install $2" >&2; exit 2; }
}
