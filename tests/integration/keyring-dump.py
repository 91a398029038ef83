#!/usr/bin/python3
# Every item of every collection of the session's Secret Service (the
# keyring), one line "LABEL<TAB>SECRET" each, then END: what a test needs
# to see that nothing but the web password was stored. Needs python3-dbus
# (run with Debian's /usr/bin/python3).
import dbus

bus = dbus.SessionBus()
svc = bus.get_object('org.freedesktop.secrets', '/org/freedesktop/secrets')
_, session = svc.OpenSession('plain', dbus.String('', variant_level=1),
                             dbus_interface='org.freedesktop.Secret.Service')
props = dbus.Interface(svc, 'org.freedesktop.DBus.Properties')
for c in props.Get('org.freedesktop.Secret.Service', 'Collections'):
    col = dbus.Interface(bus.get_object('org.freedesktop.secrets', c), 'org.freedesktop.DBus.Properties')
    for i in col.Get('org.freedesktop.Secret.Collection', 'Items'):
        item = bus.get_object('org.freedesktop.secrets', i)
        label = item.Get('org.freedesktop.Secret.Item', 'Label', dbus_interface='org.freedesktop.DBus.Properties')
        secret = item.GetSecret(session, dbus_interface='org.freedesktop.Secret.Item')
        print('%s\t%s' % (label, bytes(secret[2]).decode()))
print('END')
