systemdsystemunit_DATA = systemd/kartd.service
# systemd-sysusers reads only *.conf there: installed as kartd.conf.
sysusersdir = $(prefix)/lib/sysusers.d
install-data-local: install-sysusers
uninstall-local: uninstall-sysusers
install-sysusers:
	$(MKDIR_P) '$(DESTDIR)$(sysusersdir)'
	$(INSTALL_DATA) '$(srcdir)/systemd/kartd.sysusers' '$(DESTDIR)$(sysusersdir)/kartd.conf'
uninstall-sysusers:
	rm -f '$(DESTDIR)$(sysusersdir)/kartd.conf'
.PHONY: install-sysusers uninstall-sysusers
# kartd's own polkit rules (dbus/) go to the same directory; this variable
# has its own name so that the two local.mk files do not collide.
pcscdrulesdir = $(datadir)/polkit-1/rules.d
pcscdrules_DATA = systemd/kartd-pcscd.rules
EXTRA_DIST += systemd/kartd.service.in systemd/kartd.sysusers $(pcscdrules_DATA)
CLEANFILES += systemd/kartd.service

systemd/kartd.service: systemd/kartd.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) systemd && sed -e 's|@libexecdir[@]|$(libexecdir)|g' $< > $@

# The journal catalog: what kartd's MESSAGE_IDs mean (English, Turkish).
catalogdir = $(prefix)/lib/systemd/catalog
dist_catalog_DATA = systemd/kartd.catalog
