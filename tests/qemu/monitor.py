#!/usr/bin/env python3
"""monitor.py SOCKET COMMAND: send one HMP command to a QEMU started with
-monitor unix:SOCKET,server=on,wait=off (Debian's minimal installs have no
netcat or socat). Used by the attach tests and bench/run."""
import socket
import sys
import time

if len(sys.argv) != 3:
    sys.exit("usage: monitor.py SOCKET COMMAND")
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.settimeout(5)
s.recv(4096)  # the banner and first prompt
s.sendall(sys.argv[2].encode() + b"\n")
time.sleep(0.2)
s.close()
