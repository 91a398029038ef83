# Integration tests: the real daemon in the test world (tests/world).
integration_tests = \
	tests/integration/test-opensc.sh \
	tests/integration/test-card-events.sh \
	tests/integration/test-pcscd.sh \
	tests/integration/test-introspection.sh \
	tests/integration/test-robustness.sh \
	tests/integration/test-daemon.sh \
	tests/integration/test-kartctl.sh \
	tests/integration/test-two-worlds.sh \
	tests/integration/test-pin.sh \
	tests/integration/test-pin-logout.sh \
	tests/integration/test-pin-generic.sh \
	tests/integration/test-reader-name.sh \
	tests/integration/test-kartctl-pin.sh \
	tests/integration/test-akis-profiles.sh \
	tests/integration/test-akis-module.sh \
	tests/integration/test-pin-safety.sh \
	tests/integration/test-pin-tear.sh \
	tests/integration/test-unit-file.sh \
	tests/integration/test-install.sh \
	tests/integration/test-polkit-files.sh \
	tests/integration/test-authz.sh \
	tests/integration/test-authz-lifecycle.sh \
	tests/integration/test-authz-flood.sh \
	tests/integration/test-bus-fuzz.sh \
	tests/integration/test-no-dump.sh \
	tests/integration/test-remote.sh \
	tests/integration/test-certs.sh \
	tests/integration/test-kartctl-certs.sh \
	tests/integration/test-ocsp.sh \
	tests/integration/test-man-pages.sh \
	tests/integration/test-unlock.sh \
	tests/integration/test-unlock-faults.sh \
	tests/integration/test-unlock-backend-faults.sh \
	tests/integration/test-cardsim-admin.sh \
	tests/integration/test-cardsim-akis.sh \
	tests/integration/test-backend-sim.sh \
	tests/integration/test-cert-session.sh \
	tests/integration/test-session-life.sh \
	tests/integration/test-session-owner.sh \
	tests/integration/test-secret-memory.sh \
	tests/integration/test-backend-deadline.sh \
	tests/integration/test-notify.sh \
	tests/integration/test-keyring.sh \
	tests/integration/test-completion.sh \
	tests/integration/test-po.sh \
	tests/integration/test-gui.sh \
	tests/integration/test-pkcs11-softhsm.sh \
	tests/integration/test-pkcs11-opensc.sh \
	tests/integration/test-pkcs11-faults.sh \
	tests/integration/test-pkcs11-host.sh \
	tests/integration/test-pkcs11-registry.sh \
	tests/integration/test-setup-debian.sh \
	tests/integration/test-journal-events.sh \
	tests/integration/test-portal.sh \
	tests/integration/test-doctor.sh
TESTS += $(integration_tests)
EXTRA_DIST += $(integration_tests) \
	tests/integration/tap.sh \
	tests/integration/card.sh \
	tests/integration/p11.sh \
	tests/integration/scriptor.sh \
	tests/integration/xvfb.sh \
	tests/integration/compare-introspection.py \
	tests/integration/fake-ocsp.py \
	tests/integration/fake-backend.py \
	tests/integration/session-owner.py \
	tests/integration/tty-answer.py \
	tests/integration/polkit-flood.py \
	tests/integration/bus-fuzz.py \
	tests/integration/gui-atspi.py \
	tests/integration/plurals.py \
	tests/integration/keyring-dump.py

# The backend's side of the admin key, for tests that drive the simulated
# card's EXTERNAL AUTHENTICATE without a backend.
check_PROGRAMS += tests/unit/admin-crypt
tests_unit_admin_crypt_SOURCES = tests/unit/admin-crypt.c
tests_unit_admin_crypt_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/sim/common
tests_unit_admin_crypt_LDADD = sim/common/libkartsim.la common/libkartcommon.la

# kartd under valgrind's memcheck over the tests of its main paths:
# status, certificates and OCSP, PIN, unlock, certificate session. Not
# PKCS#11: valgrind 3.19 (Debian 12) does not implement pidfd_open, which
# kartd needs to start a module's host (the ASan build covers that path).
# Each kartd process leaves a log; tests/valgrind/check-logs fails on any
# error or definite leak, or a log memcheck did not finish.
valgrind_tests = \
	tests/integration/test-kartctl.sh \
	tests/integration/test-certs.sh \
	tests/integration/test-kartctl-pin.sh \
	tests/integration/test-pin.sh \
	tests/integration/test-unlock.sh \
	tests/integration/test-cert-session.sh
EXTRA_DIST += tests/valgrind/check-logs tests/valgrind/kartd.supp
check-valgrind: all
	rm -rf $(abs_top_builddir)/valgrind-logs
	KART_VALGRIND_DIR=$(abs_top_builddir)/valgrind-logs $(MAKE) $(AM_MAKEFLAGS) check TESTS="$(valgrind_tests)"; \
	rc=$$?; $(top_srcdir)/tests/valgrind/check-logs $(abs_top_builddir)/valgrind-logs >$(abs_top_builddir)/valgrind.tap; \
	vrc=$$?; cat $(abs_top_builddir)/valgrind.tap; test $$rc = 0 && test $$vrc = 0
.PHONY: check-valgrind
