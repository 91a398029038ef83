#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""session-owner.py CARD-PATH CODE: one connection to the system bus that
makes an unlock session (Card.Unlock) and stays, as kart-gui does. Prints
"session PATH", then every signal this connection receives about that
path: "PropertiesChanged CHANGED INVALIDATED" or "Finished SUCCESS ERROR";
exits after Finished (or after 60 s)."""
import sys

from gi.repository import Gio, GLib

card, code = sys.argv[1], sys.argv[2]
bus = Gio.bus_get_sync(Gio.BusType.SYSTEM, None)
reply = bus.call_sync("org.kartd.Kartd1", card, "org.kartd.Kartd1.Card", "Unlock",
                      GLib.Variant("(sa{sv})", (code, {})), GLib.VariantType("(o)"),
                      Gio.DBusCallFlags.NONE, 20000, None)
path = reply.unpack()[0]
print("session", path, flush=True)
loop = GLib.MainLoop()


def on_signal(conn, sender, obj, iface, member, params):
    if obj != path:
        return
    if member == "PropertiesChanged":
        _, changed, invalidated = params.unpack()
        print("PropertiesChanged", sorted(changed), sorted(invalidated), flush=True)
    elif member == "Finished":
        success, error, _ = params.unpack()
        print("Finished", success, error, flush=True)
        loop.quit()


bus.signal_subscribe("org.kartd.Kartd1", None, None, path, None, Gio.DBusSignalFlags.NONE, on_signal)
GLib.timeout_add_seconds(60, loop.quit)
loop.run()
