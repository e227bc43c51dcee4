# bench/native.sh -- sourced by the bench scripts: native_build NAME compiles bench/native/NAME.c
# into bench/target/native/NAME when the binary is missing or older than its source (returns
# gcc's status). One place for the flags every C program of the benchmarks is built with.
# Needs gcc. Run from the repository root.
native_build() {
  local bin="bench/target/native/$1"
  if [ "bench/native/$1.c" -nt "$bin" ]; then
    mkdir -p bench/target/native
    gcc -O2 -Wall -Wextra -pthread -o "$bin" "bench/native/$1.c"
  fi
}
