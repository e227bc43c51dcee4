# bench/echo-load.sh -- sourced by the bench scripts: sets LOAD to the echo load generator,
# bench/target/native/echo_load, compiling bench/native/echo_load.c first when the binary is
# missing or older than its source (bench/native.sh). Needs gcc. Run from the repository root.
. bench/native.sh
native_build echo_load || exit 1
LOAD=bench/target/native/echo_load
