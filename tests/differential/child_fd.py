"""The second process of the descriptor-passing scenarios on CPython: the
same program as child-fd.ts (which see), with the real socket module."""
import socket
import sys

ctl = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
ctl.connect(sys.argv[1])
msg, fds, _flags, _addr = socket.recv_fds(ctl, 100, 1)
passed = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM, 0, fds[0])
passed.sendall(b"child got " + msg)
reply = passed.recv(100)
ctl.sendall(b"reply was " + reply)
passed.close()
ctl.close()
