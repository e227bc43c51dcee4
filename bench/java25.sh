# bench/java25.sh -- sourced by the bench scripts: sets JAVA to a JDK 25+ `java`, found like
# Maven's toolchains ($POLLEN_JAVA, $JAVA_HOME, /usr/lib/jvm/*), or exits 2 saying so.
java_major() { "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'; }
JAVA=""
for candidate in "${POLLEN_JAVA:-}" "${JAVA_HOME:+$JAVA_HOME/bin/java}" /usr/lib/jvm/*/bin/java; do
  if [ -n "$candidate" ] && [ -x "$candidate" ]; then
    major=$(java_major "$candidate")
    if [ -n "$major" ] && [ "$major" -ge 25 ] 2>/dev/null; then JAVA="$candidate"; break; fi
  fi
done
if [ -z "$JAVA" ]; then echo "$0: no JDK 25+ found (set POLLEN_JAVA)" >&2; exit 2; fi
