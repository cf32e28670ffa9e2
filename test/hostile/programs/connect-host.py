# Tries the host's loopback listener (port argv[1]) and an abstract unix socket (argv[2]).
import socket, sys
port, abstract = int(sys.argv[1]), sys.argv[2]
for family, addr in ((socket.AF_INET, ('127.0.0.1', port)), (socket.AF_INET6, ('::1', port))):
    try:
        s = socket.socket(family, socket.SOCK_STREAM)
        s.settimeout(2)
        s.connect(addr)
        print('CONNECTED', addr)
    except OSError as e:
        print('refused', addr[0], e.errno)
try:
    u = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    u.connect('\0' + abstract)
    print('CONNECTED abstract')
except OSError as e:
    print('refused abstract', e.errno)
