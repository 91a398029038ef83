# The test world (tests/world/world.sh: sourced by the integration tests,
# the demo and the benchmarks), its pcscd launcher and its self-test.
# The launcher is noinst rather than check: the demo and the benchmarks
# need it after a plain `make`.
noinst_PROGRAMS += tests/world/pcscd-launch
tests_world_pcscd_launch_SOURCES = tests/world/pcscd-launch.c
TESTS += tests/world/selftest.sh
EXTRA_DIST += tests/world/world.sh tests/world/sshd.sh tests/world/selftest.sh
