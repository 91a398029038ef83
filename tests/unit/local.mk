# Unit tests of the daemon library and common code (cmocka, TAP output).
unit_tests = \
	tests/unit/test-error-map \
	tests/unit/test-apdu \
	tests/unit/test-strutil \
	tests/unit/test-secret \
	tests/unit/test-card-pin \
	tests/unit/test-p11-token
check_PROGRAMS += $(unit_tests)
TESTS += $(unit_tests)

unit_cppflags = $(AM_CPPFLAGS) -I$(top_srcdir)/daemon/card $(CMOCKA_CFLAGS) $(SYSTEMD_CFLAGS)
tests_unit_test_error_map_SOURCES = tests/unit/test-error-map.c
tests_unit_test_error_map_CPPFLAGS = $(unit_cppflags)
tests_unit_test_error_map_LDADD = common/libkartcommon.la $(CMOCKA_LIBS)
tests_unit_test_apdu_SOURCES = tests/unit/test-apdu.c
tests_unit_test_apdu_CPPFLAGS = $(unit_cppflags)
tests_unit_test_apdu_LDADD = daemon/libkartd.la $(CMOCKA_LIBS)
tests_unit_test_strutil_SOURCES = tests/unit/test-strutil.c
tests_unit_test_strutil_CPPFLAGS = $(unit_cppflags)
tests_unit_test_strutil_LDADD = common/libkartcommon.la $(CMOCKA_LIBS)
tests_unit_test_secret_SOURCES = tests/unit/test-secret.c
tests_unit_test_secret_CPPFLAGS = $(unit_cppflags)
tests_unit_test_secret_LDADD = common/libkartcommon.la $(CMOCKA_LIBS)
tests_unit_test_card_pin_SOURCES = \
	tests/unit/test-card-pin.c \
	tests/unit/fake-transport.c \
	tests/unit/fake-transport.h
tests_unit_test_card_pin_CPPFLAGS = $(unit_cppflags)
tests_unit_test_card_pin_LDADD = daemon/libkartd.la $(CMOCKA_LIBS)
tests_unit_test_p11_token_SOURCES = tests/unit/test-p11-token.c
tests_unit_test_p11_token_CPPFLAGS = $(unit_cppflags)
tests_unit_test_p11_token_CFLAGS = $(AM_CFLAGS) $(P11KIT_CFLAGS)
tests_unit_test_p11_token_LDADD = daemon/libkartd.la $(CMOCKA_LIBS)
# The card side of the online unlock, against scripted cards as well.
check_PROGRAMS += tests/unit/test-card-unlock
TESTS += tests/unit/test-card-unlock
tests_unit_test_card_unlock_SOURCES = \
	tests/unit/test-card-unlock.c \
	tests/unit/fake-transport.c \
	tests/unit/fake-transport.h
tests_unit_test_card_unlock_CPPFLAGS = $(unit_cppflags)
tests_unit_test_card_unlock_LDADD = daemon/libkartd.la $(CMOCKA_LIBS)

# The APDU scripts the fake transport replays (tests/unit/fake-transport.h).
EXTRA_DIST += \
	tests/data/apdu/akis-change.script \
	tests/data/apdu/akis10-change.script \
	tests/data/apdu/akis10-tries.script \
	tests/data/apdu/akis12-change.script \
	tests/data/apdu/akis2-change.script \
	tests/data/apdu/akis2-tries.script \
	tests/data/apdu/card-kart1.script \
	tests/data/apdu/none.script \
	tests/data/apdu/pkcs15-change.script \
	tests/data/apdu/pkcs15-query-63c1.script \
	tests/data/apdu/pkcs15-query-63c2.script \
	tests/data/apdu/pkcs15-query-blocked.script \
	tests/data/apdu/pkcs15-query-locked-no-puk.script \
	tests/data/apdu/pkcs15-query-locked.script \
	tests/data/apdu/pkcs15-query-ok.script \
	tests/data/apdu/pkcs15-query-puk-63c0.script \
	tests/data/apdu/pkcs15-query-unknown.script \
	tests/data/apdu/pkcs15-verify-long.script \
	tests/data/apdu/pkcs15-verify.script \
	tests/data/apdu/probe-locked.script \
	tests/data/apdu/probe-took.script \
	tests/data/apdu/probe-unlocked.script \
	tests/data/apdu/run-akis-change.script \
	tests/data/apdu/run-akis-last-try.script \
	tests/data/apdu/run-akis-verify-wrong.script \
	tests/data/apdu/run-blocked.script \
	tests/data/apdu/run-change-ok.script \
	tests/data/apdu/run-last-try-forced-wrong.script \
	tests/data/apdu/run-last-try-forced.script \
	tests/data/apdu/run-last-try.script \
	tests/data/apdu/run-locked.script \
	tests/data/apdu/run-no-pkcs15.script \
	tests/data/apdu/run-other-card.script \
	tests/data/apdu/run-removed-after.script \
	tests/data/apdu/run-removed-identity.script \
	tests/data/apdu/run-removed-verify.script \
	tests/data/apdu/run-reset-query.script \
	tests/data/apdu/run-verify-6c.script \
	tests/data/apdu/run-verify-ok.script \
	tests/data/apdu/run-verify-wrong.script \
	tests/data/apdu/unlock-akis.script \
	tests/data/apdu/unlock-challenge-6d00.script \
	tests/data/apdu/unlock-challenge-short.script \
	tests/data/apdu/unlock-challenge.script \
	tests/data/apdu/unlock-ea-63c9.script \
	tests/data/apdu/unlock-ea-6983.script \
	tests/data/apdu/unlock-ea-6c10.script \
	tests/data/apdu/unlock-ea-ok.script \
	tests/data/apdu/unlock-ea-removed.script \
	tests/data/apdu/unlock-ok.script \
	tests/data/apdu/unlock-rrc-6982.script \
	tests/data/apdu/unlock-rrc-removed.script
