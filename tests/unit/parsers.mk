# Unit tests of the card data parsers (cmocka, TAP output). Include inside
# "if HAVE_CMOCKA".
parser_tests = \
	tests/unit/test-tlv \
	tests/unit/test-pkcs15 \
	tests/unit/test-atr
check_PROGRAMS += $(parser_tests)
TESTS += $(parser_tests)

parser_test_cppflags = $(AM_CPPFLAGS) -I$(top_srcdir)/daemon/card $(CMOCKA_CFLAGS)

tests_unit_test_tlv_SOURCES = tests/unit/test-tlv.c
tests_unit_test_tlv_CPPFLAGS = $(parser_test_cppflags)
tests_unit_test_tlv_LDADD = daemon/libkartd.la $(CMOCKA_LIBS)

tests_unit_test_pkcs15_SOURCES = tests/unit/test-pkcs15.c
tests_unit_test_pkcs15_CPPFLAGS = $(parser_test_cppflags)
tests_unit_test_pkcs15_LDADD = daemon/libkartd.la $(CMOCKA_LIBS)

tests_unit_test_atr_SOURCES = tests/unit/test-atr.c
tests_unit_test_atr_CPPFLAGS = $(parser_test_cppflags)
tests_unit_test_atr_LDADD = daemon/libkartd.la $(CMOCKA_LIBS)

# The libFuzzer target (tests/fuzz/fuzz-pkcs15.c) is built by hand, with
# clang; see the comment at its top.
EXTRA_DIST += tests/fuzz/fuzz-pkcs15.c
