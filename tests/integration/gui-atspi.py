#!/usr/bin/python3
# What a screen reader gets from an application's windows, read from the
# accessibility bus (AT-SPI): one line per object, "WINDOW<TAB>ROLE<TAB>TEXT",
# TEXT being the object's name, or its contents for a text object.
# Waits up to TIMEOUT seconds until some window has an object whose text
# contains WANT (when given); exit status 0 when found.
# Usage: gui-atspi.py APP-NAME TIMEOUT [WANT]
import sys
import time

import gi
gi.require_version('Atspi', '2.0')
from gi.repository import Atspi  # noqa: E402


def walk(node, window, out, depth=0):
    if node is None or depth > 60:
        return
    try:
        role = node.get_role_name()
        name = node.get_name()
        if name:
            out.append((window, role, name))
        if 'Text' in node.get_interfaces():
            text = Atspi.Text.get_text(node, 0, Atspi.Text.get_character_count(node))
            if text and text != name:
                out.append((window, role, text))
        for i in range(node.get_child_count()):
            walk(node.get_child_at_index(i), window, out, depth + 1)
    except gi.repository.GLib.GError:
        pass  # the object went away meanwhile


def snapshot(app_name):
    desktop = Atspi.get_desktop(0)
    out = []
    for i in range(desktop.get_child_count()):
        app = desktop.get_child_at_index(i)
        if app is None or app.get_name() != app_name:
            continue
        for j in range(app.get_child_count()):
            win = app.get_child_at_index(j)
            if win is not None:
                walk(win, win.get_name(), out)
    return out


def main():
    name, timeout = sys.argv[1], float(sys.argv[2])
    want = sys.argv[3] if len(sys.argv) > 3 else None
    deadline = time.time() + timeout
    while True:
        lines = snapshot(name)
        found = bool(lines) and (want is None or any(want in t for _, _, t in lines))
        if found or time.time() > deadline:
            break
        time.sleep(0.3)
    for window, role, text in lines:
        print('%s\t%s\t%s' % (window, role, text.replace('\n', ' ')))
    sys.exit(0 if found else 1)


main()
