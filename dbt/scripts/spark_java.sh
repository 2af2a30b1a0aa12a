#!/usr/bin/env bash
# Java for the dbt `spark` target: pyspark (a pip package, installed by `make install`) runs Spark in a JVM and
# needs Java 17 or newer. When `java` is missing or older, install Debian's openjdk-17-jre-headless (as root, or
# through sudo), as dbt/scripts/postgres_server.sh does for PostgreSQL. Used by `make spark-java` and `make test`.
set -euo pipefail

java_major() {
    # `java -version` prints e.g. openjdk version "17.0.15" 2025-04-15 (or "1.8.0_392" for Java 8) on stderr
    java -version 2>&1 | awk -F'"' '/version/ {split($2, v, "."); print (v[1] == "1" ? v[2] : v[1]); exit}'
}

if command -v java >/dev/null 2>&1 && [[ "$(java_major)" -ge 17 ]]; then
    echo "spark_java.sh: Java $(java_major) at $(command -v java)"
    exit 0
fi

echo "spark_java.sh: no Java 17+ for Spark: installing Debian's package 'openjdk-17-jre-headless'" >&2
sudo=""
[[ "$(id -u)" -eq 0 ]] || sudo="sudo"
$sudo apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq openjdk-17-jre-headless >&2
hash -r
command -v java >/dev/null 2>&1 || { echo "spark_java.sh: java still not on PATH after the install" >&2; exit 1; }
echo "spark_java.sh: Java $(java_major) at $(command -v java)"
