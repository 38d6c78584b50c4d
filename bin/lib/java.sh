# Sourced by the scripts in bin/: finds a JDK 25 or newer and exports JAVA_HOME.
# Order: $JAVA_HOME if it is new enough, then the newest JDK under /usr/lib/jvm.

cipherlane_java_major() { # <java binary> -> major version, or nothing
    "$1" -XshowSettings:properties -version 2>&1 |
        sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n 1
}

cipherlane_find_java() {
    local want=25 cand major best="" best_major=0
    if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
        major=$(cipherlane_java_major "$JAVA_HOME/bin/java")
        if [ -n "$major" ] && [ "$major" -ge "$want" ]; then
            export JAVA_HOME
            return 0
        fi
        echo "cipherlane: JAVA_HOME=$JAVA_HOME is Java ${major:-unknown}; looking for Java $want+ in /usr/lib/jvm" >&2
    fi
    for cand in /usr/lib/jvm/*/; do
        cand=${cand%/}
        [ -x "$cand/bin/java" ] && [ -x "$cand/bin/javac" ] || continue
        major=$(cipherlane_java_major "$cand/bin/java")
        if [ -n "$major" ] && [ "$major" -ge "$want" ] && [ "$major" -gt "$best_major" ]; then
            best=$cand
            best_major=$major
        fi
    done
    if [ -z "$best" ]; then
        echo "cipherlane: no JDK $want or newer found (checked JAVA_HOME and /usr/lib/jvm)." >&2
        echo "cipherlane: install one (for example Temurin 25) and set JAVA_HOME to it." >&2
        return 1
    fi
    export JAVA_HOME=$best
}
