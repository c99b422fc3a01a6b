# Shared by the bench scripts (source it; ROOT must be set).

# field KEY LINE: the value of KEY in a line of "key=value" pairs.
field() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" <<<"$2"; }

# median: the median of the numbers on standard input (spaces or lines), with two decimals; nan when there are none.
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) { print "nan"; exit }
  if (NR % 2) printf "%.2f\n", a[(NR + 1) / 2]; else printf "%.2f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# bench_update_docs NAME TITLE DATE FILE: puts FILE's text into docs/benchmarks.md between the markers
# "<!-- bench/NAME DATE begin -->" and "... end -->", replacing an earlier run of the same day, or appends a new
# section "## DATE: TITLE" at the end. Text outside the markers is kept.
bench_update_docs() {
  local name="$1" title="$2" date="$3" file="$4"
  local doc="$ROOT/docs/benchmarks.md" begin="<!-- bench/$name $date begin -->" end="<!-- bench/$name $date end -->"
  [ -f "$doc" ] || printf '# Benchmarks\n\nMeasured by the scripts in `bench/`; newest sections last.\n' >"$doc"
  local tmp; tmp="$(mktemp "$doc.XXXXXX")"
  if grep -qxF "$begin" "$doc"; then
    awk -v b="$begin" -v e="$end" -v f="$file" '
      $0 == b { print; while ((getline l < f) > 0) print l; skip = 1; next }
      $0 == e { skip = 0 }
      !skip { print }' "$doc" >"$tmp"
  else
    { cat "$doc"; echo; echo "## $date: $title (\`bench/$name\`)"; echo; echo "$begin"; cat "$file"; echo "$end"; } >"$tmp"
  fi
  cat "$tmp" >"$doc"                       # keeps the file's own permissions (mktemp's are 0600)
  rm -f "$tmp"
  printf 'bench/%s: updated docs/benchmarks.md (section %s)\n' "$name" "$date" >&2
}

# bench_await_class_data: waits until the class-data archive of bin/radlab's class path exists in $RADLAB_HOME (made
# once after a build by a warm-up in the background; core's ClassDataArchive), so that no measured run pays for
# making it or runs beside its warm-up. Needs RADLAB (the bin/radlab path) and a die function.
bench_await_class_data() {
  local archives="$RADLAB_HOME/cache/class-data"
  echo "bench: waiting for the class-data archive of bin/radlab's class path (made once after a build)" >&2
  for _ in $(seq 1 600); do
    "$RADLAB" --version >/dev/null 2>&1 || true      # asks for the archive; starts its warm-up when there is none
    if ls "$archives"/*.failed >/dev/null 2>&1; then
      die "the archive's warm-up failed; its log: $(ls "$archives"/*.log | head -1)"
    fi
    if ls "$archives"/*.jsa >/dev/null 2>&1 && ! ls "$archives"/*.making >/dev/null 2>&1; then
      return 0
    fi
    sleep 2
  done
  die "no archive in $archives after 20 minutes"
}
