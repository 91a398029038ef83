systemdsystemunit_DATA = systemd/kartd.service
sysusersdir = $(prefix)/lib/sysusers.d
sysusers_DATA = systemd/kartd.sysusers
EXTRA_DIST += systemd/kartd.service.in systemd/kartd.sysusers
CLEANFILES += systemd/kartd.service

systemd/kartd.service: systemd/kartd.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) systemd && sed -e 's|@libexecdir[@]|$(libexecdir)|g' $< > $@
