# Opens a socket of each family given as argv (name=number), also with bits set above
# the 32 the kernel reads (a filter comparing all 64 would miss them). Prints name and
# errno (0 = opened).
import ctypes, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
SYS_socket = int(sys.argv[1])
for item in sys.argv[2:]:
    name, family = item.split('=')
    for label, value in ((name, int(family)), (name + '+hi', int(family) | (1 << 32))):
        ctypes.set_errno(0)
        fd = libc.syscall(SYS_socket, ctypes.c_ulong(value), 1 if value & 0xff != 16 else 3, 0)
        print(label, 0 if fd >= 0 else ctypes.get_errno())
