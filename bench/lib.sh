# Shared by the bench scripts (source it; ROOT must be set).

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
