# bench/echo-load.sh -- sourced by the bench scripts: sets LOAD to the echo load generator,
# bench/target/native/echo_load, compiling bench/native/echo_load.c first when the binary is
# missing or older than its source. Needs gcc. Run from the repository root.
LOAD=bench/target/native/echo_load
if [ bench/native/echo_load.c -nt "$LOAD" ]; then
  mkdir -p bench/target/native
  gcc -O2 -Wall -Wextra -o "$LOAD" bench/native/echo_load.c
fi
