#!/usr/bin/env bash
# Builds the documentation into docs/_build/html:
#   - checks the examples the guides include (docs/examples): each compiles
#     and prints exactly the output the guides show (docs/examples/*.out);
#     a Python example (*.py, run by python3) prints the .out of the same
#     name, so port.py and its TypeScript port port.ts must agree;
#   - the Sphinx guides (reStructuredText + graphviz diagrams);
#   - the typedoc API reference into docs/_build/html/api (typedoc.json),
#     whose pages link back to the guides (docs/typedoc-guides.mjs);
#   - checks the links between the guides and the reference, both ways, and
#     that every diagram's labels read at the page's width
#     (docs/check_diagrams.py).
# Any warning fails the build: Sphinx runs with -W, typedoc with
# treatWarningsAsErrors. Set DOCS_UPDATE_OUTPUT=1 to rewrite the .out files
# after changing an example on purpose (then review the diff).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
OUT=docs/_build
SPHINX_BUILD=${SPHINX_BUILD:-sphinx-build}

section() { printf '\n==> %s\n' "$*"; }
fail() { printf 'docs/build.sh: %s\n' "$*" >&2; exit 1; }

command -v "$SPHINX_BUILD" >/dev/null || fail "$SPHINX_BUILD not found (Debian: apt-get install python3-sphinx)"
command -v dot >/dev/null || fail "graphviz's dot not found (Debian: apt-get install graphviz)"
command -v python3 >/dev/null || fail "python3 not found (it runs the Python examples; Debian: apt-get install python3)"

rm -rf "$OUT"

section "Building the packages the examples import"
npx tsc -b packages/runtime packages/channel packages/io-epoll packages/io-uring packages/io-libuv packages/socket-compat

section "Checking the examples the guides include"
npx tsc -p docs/examples/tsconfig.json
status=0
for src in docs/examples/*.ts docs/examples/*.mjs docs/examples/*.py; do
  name=$(basename "$src")
  name=${name%.*}
  case "$src" in
    *.ts) run=(node "$OUT/examples/$name.js") ;;
    *.py) run=(python3 "$src") ;;
    *) run=(node "$src") ;;
  esac
  expected="docs/examples/$name.out"
  actual="$OUT/examples/$name.actual"
  mkdir -p "$OUT/examples"
  if ! "${run[@]}" >"$actual" 2>&1; then
    printf 'FAIL %s: exited with an error\n' "$src"
    cat "$actual"
    status=1
  elif [[ "${DOCS_UPDATE_OUTPUT:-0}" == 1 ]]; then
    cp "$actual" "$expected"
    printf 'updated %s\n' "$expected"
  elif [[ ! -f "$expected" ]]; then
    printf 'FAIL %s: no %s (run with DOCS_UPDATE_OUTPUT=1 to create it)\n' "$src" "$expected"
    status=1
  elif ! diff -u "$expected" "$actual"; then
    printf 'FAIL %s: its output differs from %s\n' "$src" "$expected"
    status=1
  else
    printf 'ok   %s\n' "$src"
  fi
done
[[ $status == 0 ]] || fail "an example does not behave as the guides say"

# The README's first program is the guides' hello.mjs, word for word.
if ! awk '/^```js$/ { inside = 1; next } /^```$/ && inside { exit } inside' README.md |
  diff -u docs/examples/hello.mjs -; then
  fail "the first program in README.md differs from docs/examples/hello.mjs"
fi
printf 'ok   README.md first program == docs/examples/hello.mjs\n'

# hello-typed.ts is hello.mjs with types: once tsc has erased them, the two
# are the same program (tsc re-indents and drops blank lines, hence -w -B).
if ! diff -u -w -B docs/examples/hello.mjs "$OUT/examples/hello-typed.js"; then
  fail "docs/examples/hello-typed.ts, compiled, is not the program docs/examples/hello.mjs is"
fi
printf 'ok   docs/examples/hello-typed.ts compiled == docs/examples/hello.mjs\n'

section "Sphinx guides -> $OUT/html"
"$SPHINX_BUILD" -W --keep-going -n -q -b html docs "$OUT/html"

section "typedoc API reference -> $OUT/html/api"
npx typedoc --options typedoc.json

section "Checking the guides' links into the API reference"
status=0
while IFS= read -r link; do
  target="$OUT/html/${link%%#*}"
  if [[ ! -f "$target" ]]; then
    printf 'broken link: %s\n' "$link"
    status=1
  fi
done < <(grep -oh 'href="api/[^"]*"' "$OUT"/html/*.html | sed 's/^href="//; s/"$//' | sort -u)
[[ $status == 0 ]] || fail "a guide links to an API page that typedoc did not write"

section "Checking the API reference's links back to the guides"
# docs/typedoc-guides.mjs puts them on every page; each must name a page
# Sphinx wrote, whatever the depth of the page it is on.
python3 - "$OUT/html" <<'PY' || fail "an API page links to a guide that Sphinx did not write"
import os, re, sys
html = os.path.realpath(sys.argv[1])
api = os.path.join(html, 'api')
pages = broken = 0
for folder, _, names in os.walk(api):
    for name in names:
        if not name.endswith('.html'):
            continue
        page = os.path.join(folder, name)
        text = open(page, encoding='utf-8').read()
        guides = [h for h in re.findall(r'href="([^"#?]+)', text)
                  if not os.path.realpath(os.path.join(folder, h)).startswith(api + os.sep)
                  and '://' not in h]
        if not guides:
            print('no link to the guides:', os.path.relpath(page, html))
            broken += 1
        for h in guides:
            if not os.path.isfile(os.path.join(folder, h)):
                print('broken link:', os.path.relpath(page, html), '->', h)
                broken += 1
        pages += 1
print('%d API pages link to the guides' % pages)
sys.exit(1 if broken or not pages else 0)
PY

section "Checking that the diagrams read at the page's width"
python3 docs/check_diagrams.py "$OUT/html" || fail "a diagram is too wide for the page"

printf '\nDocumentation built: %s/html/index.html\n' "$OUT"
