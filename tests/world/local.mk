# The test world (tests/world/world.sh) and its pcscd launcher.
noinst_PROGRAMS += tests/world/pcscd-launch
tests_world_pcscd_launch_SOURCES = tests/world/pcscd-launch.c
EXTRA_DIST += tests/world/world.sh
