# libFuzzer targets: one per parser of outside input (tests/fuzz/README).
# Built with ./configure CC=clang --enable-fuzzing; `make fuzz-run` runs
# each for FUZZ_SECONDS (CI: 25), `make fuzz-long` for 10 minutes each.
fuzz_names = pkcs15 card x509 ocsp ca conf p11-token

EXTRA_DIST += \
	tests/fuzz/README \
	tests/fuzz/run-fuzzers \
	tests/fuzz/fuzz-input.h \
	tests/fuzz/der-mutator.h \
	tests/fuzz/regress tests/fuzz/seeds tests/fuzz/ocsp

if ENABLE_FUZZING
fuzz_programs = \
	tests/fuzz/fuzz-pkcs15 tests/fuzz/fuzz-card tests/fuzz/fuzz-x509 tests/fuzz/fuzz-ocsp tests/fuzz/fuzz-ca tests/fuzz/fuzz-conf \
	tests/fuzz/fuzz-p11-token
noinst_PROGRAMS += $(fuzz_programs)
fuzz_cppflags = $(AM_CPPFLAGS) -I$(top_srcdir)/daemon/card -I$(top_srcdir)/daemon/backend -I$(top_srcdir)/tests/fuzz \
	$(P11KIT_CFLAGS) $(SYSTEMD_CFLAGS) $(OPENSSL_CFLAGS) $(JANSSON_CFLAGS)
fuzz_ldflags = -fsanitize=fuzzer
fuzz_ldadd = daemon/libkartd.la

tests_fuzz_fuzz_pkcs15_SOURCES = tests/fuzz/fuzz-pkcs15.c
tests_fuzz_fuzz_pkcs15_CPPFLAGS = $(fuzz_cppflags)
tests_fuzz_fuzz_pkcs15_LDFLAGS = $(fuzz_ldflags)
tests_fuzz_fuzz_pkcs15_LDADD = $(fuzz_ldadd)
tests_fuzz_fuzz_card_SOURCES = tests/fuzz/fuzz-card.c
tests_fuzz_fuzz_card_CPPFLAGS = $(fuzz_cppflags)
tests_fuzz_fuzz_card_LDFLAGS = $(fuzz_ldflags)
tests_fuzz_fuzz_card_LDADD = $(fuzz_ldadd)
tests_fuzz_fuzz_x509_SOURCES = tests/fuzz/fuzz-x509.c
tests_fuzz_fuzz_x509_CPPFLAGS = $(fuzz_cppflags)
tests_fuzz_fuzz_x509_LDFLAGS = $(fuzz_ldflags)
tests_fuzz_fuzz_x509_LDADD = $(fuzz_ldadd)
tests_fuzz_fuzz_ocsp_SOURCES = tests/fuzz/fuzz-ocsp.c
tests_fuzz_fuzz_ocsp_CPPFLAGS = $(fuzz_cppflags) -DFUZZ_OCSP_DIR=\"$(abs_top_srcdir)/tests/fuzz/ocsp\"
tests_fuzz_fuzz_ocsp_LDFLAGS = $(fuzz_ldflags)
tests_fuzz_fuzz_ocsp_LDADD = $(fuzz_ldadd) $(OPENSSL_LIBS)
tests_fuzz_fuzz_ca_SOURCES = tests/fuzz/fuzz-ca.c
tests_fuzz_fuzz_ca_CPPFLAGS = $(fuzz_cppflags)
tests_fuzz_fuzz_ca_LDFLAGS = $(fuzz_ldflags)
tests_fuzz_fuzz_ca_LDADD = $(fuzz_ldadd) $(JANSSON_LIBS)
tests_fuzz_fuzz_conf_SOURCES = tests/fuzz/fuzz-conf.c
tests_fuzz_fuzz_conf_CPPFLAGS = $(fuzz_cppflags)
tests_fuzz_fuzz_conf_LDFLAGS = $(fuzz_ldflags)
tests_fuzz_fuzz_conf_LDADD = $(fuzz_ldadd)
tests_fuzz_fuzz_p11_token_SOURCES = tests/fuzz/fuzz-p11-token.c
tests_fuzz_fuzz_p11_token_CPPFLAGS = $(fuzz_cppflags)
tests_fuzz_fuzz_p11_token_LDFLAGS = $(fuzz_ldflags)
tests_fuzz_fuzz_p11_token_LDADD = $(fuzz_ldadd)

FUZZ_SECONDS = 25
fuzz-run: $(fuzz_programs)
	$(AM_V_at)FUZZ_SECONDS=$(FUZZ_SECONDS) $(top_srcdir)/tests/fuzz/run-fuzzers $(top_srcdir) $(top_builddir) $(fuzz_names)
fuzz-long: $(fuzz_programs)
	$(AM_V_at)FUZZ_SECONDS=600 $(top_srcdir)/tests/fuzz/run-fuzzers $(top_srcdir) $(top_builddir) $(fuzz_names)
else
fuzz-run fuzz-long:
	@echo "The fuzzers need ./configure CC=clang --enable-fuzzing" >&2; exit 1
endif
.PHONY: fuzz-run fuzz-long
