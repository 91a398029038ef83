#!/usr/bin/python3
"""A caller whose polkit checks never end: floods kartd with guarded calls.

usage: polkit-flood.py STATUS CONNECTIONS CALLS OBJECT INTERFACE METHOD [ARG...]

Registers this process with polkitd as its own authentication agent, one
that takes every BeginAuthentication and never answers it (a user who
walks away from the password dialog), then opens CONNECTIONS connections
to the system bus and sends CALLS calls on each at once, allowing
interactive authorization. ARGs are busctl-style: a signature, then the
values ("sa{sv}" "123456" "0"; only s, b and an empty a{sv} are known).

Writes STATUS (rewritten after every event) as lines "KEY VALUE":
  registered 1              the agent is in place
  asked N                   BeginAuthentication calls taken, unanswered
  cancelled N               CancelAuthentication calls
  reply.NAME N              replies by error name (ok: success)
  pending N                 calls not answered yet
Runs until killed (its connections then go, with the calls kartd parked).
"""
import os
import sys

import gi

gi.require_version("Gio", "2.0")
from gi.repository import Gio, GLib  # noqa: E402

AGENT_PATH = "/org/kartd/test/FloodAgent"
AGENT_XML = """
<node>
  <interface name="org.freedesktop.PolicyKit1.AuthenticationAgent">
    <method name="BeginAuthentication">
      <arg type="s" name="action_id" direction="in"/>
      <arg type="s" name="message" direction="in"/>
      <arg type="s" name="icon_name" direction="in"/>
      <arg type="a{ss}" name="details" direction="in"/>
      <arg type="s" name="cookie" direction="in"/>
      <arg type="a(sa{sv})" name="identities" direction="in"/>
    </method>
    <method name="CancelAuthentication">
      <arg type="s" name="cookie" direction="in"/>
    </method>
  </interface>
</node>
"""

if len(sys.argv) < 7:
    sys.exit(__doc__)
status_file, connections, calls = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
obj, iface, method, sig, values = sys.argv[4], sys.argv[5], sys.argv[6], sys.argv[7], sys.argv[8:]

counts = {"registered": 0, "asked": 0, "cancelled": 0, "pending": 0}
held = []   # BeginAuthentication invocations, never returned


def write_status():
    tmp = status_file + ".tmp"
    with open(tmp, "w") as f:
        for k, v in sorted(counts.items()):
            f.write(f"{k} {v}\n")
    os.replace(tmp, status_file)


def count(key):
    counts[key] = counts.get(key, 0) + 1
    write_status()


def parameters():
    out, rest, vals = [], sig, list(values)
    while rest:
        if rest.startswith("a{sv}"):
            if vals.pop(0) != "0":
                sys.exit("only an empty a{sv} is known")
            out.append({})
            rest = rest[5:]
        elif rest[0] == "s":
            out.append(vals.pop(0))
            rest = rest[1:]
        elif rest[0] == "b":
            out.append(vals.pop(0) in ("1", "true", "yes"))
            rest = rest[1:]
        else:
            sys.exit("signature not known: " + sig)
    return GLib.Variant("(" + sig + ")", tuple(out))


def on_agent_call(conn, sender, path, interface, member, params, invocation):
    if member == "BeginAuthentication":
        held.append(invocation)
        count("asked")
    else:
        invocation.return_value(None)
        count("cancelled")


def start_time():
    with open("/proc/self/stat") as f:
        return int(f.read().rsplit(")", 1)[1].split()[19])


def on_reply(conn, result, _data):
    counts["pending"] -= 1
    try:
        conn.call_finish(result)
        count("reply.ok")
    except GLib.Error as e:
        count("reply." + (Gio.DBusError.get_remote_error(e) or "local"))


bus = Gio.bus_get_sync(Gio.BusType.SYSTEM)
bus.register_object(AGENT_PATH, Gio.DBusNodeInfo.new_for_xml(AGENT_XML).interfaces[0], on_agent_call)
subject = ("unix-process", {"pid": GLib.Variant("u", os.getpid()),
                            "start-time": GLib.Variant("t", start_time()),
                            "uid": GLib.Variant("i", os.getuid())})
bus.call_sync("org.freedesktop.PolicyKit1", "/org/freedesktop/PolicyKit1/Authority",
              "org.freedesktop.PolicyKit1.Authority", "RegisterAuthenticationAgent",
              GLib.Variant("((sa{sv})ss)", (subject, "C", AGENT_PATH)), None,
              Gio.DBusCallFlags.NONE, -1, None)
counts["registered"] = 1
write_status()

address = Gio.dbus_address_get_for_bus_sync(Gio.BusType.SYSTEM, None)
flags = Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION
conns = [Gio.DBusConnection.new_for_address_sync(address, flags, None, None) for _ in range(connections)]
for c in conns:
    for _ in range(calls):
        counts["pending"] += 1
        c.call("org.kartd.Kartd1", obj, iface, method, parameters(), None,
               Gio.DBusCallFlags.ALLOW_INTERACTIVE_AUTHORIZATION, 600 * 1000, None, on_reply, None)
write_status()
GLib.MainLoop().run()
