# Calls each syscall named in argv (name=number) with arguments that an unfiltered,
# unprivileged process would NOT get EPERM for, and prints name and errno (0 = success).
import ctypes, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
buf = ctypes.create_string_buffer(256)
probes = {
    # PTRACE_TRACEME: any process may ask to be traced by its parent
    'ptrace': (0, 0, 0, 0),
    # io_uring_setup(1, NULL): EFAULT without the filter
    'io_uring_setup': (1, 0),
    # perf_event_open(NULL, ...): EFAULT without the filter
    'perf_event_open': (0, 0, -1, -1, 0),
    # bpf(unknown command): EINVAL without the filter
    'bpf': (9999, 0, 0),
    # keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_THREAD_KEYRING, create=1): works unprivileged
    'keyctl': (0, -1, 1),
    # userfaultfd(UFFD_USER_MODE_ONLY): allowed unprivileged since 5.11
    'userfaultfd': (1,),
    # kcmp(self, self, KCMP_VM): works on one's own process
    'kcmp': (0, 0, 1, 0, 0),
    # name_to_handle_at(AT_FDCWD, "/", buf, ...): EOVERFLOW/EINVAL without the filter
    'name_to_handle_at': (-100, ctypes.c_char_p(b'/'), buf, ctypes.byref(ctypes.c_int()), 0),
    # unshare(CLONE_NEWUSER): the user-namespace escape hatch
    'unshare': (0x10000000,),
    # pidfd_getfd(bad pidfd, 0, 0): EBADF without the filter; with a pidfd of the box's
    # own pid 1 it would copy descriptors out of bwrap's init
    'pidfd_getfd': (-1, 0, 0),
    # mount of a tmpfs: EPERM here either way, listed for completeness
    'mount': (ctypes.c_char_p(b'none'), ctypes.c_char_p(b'/tmp'), ctypes.c_char_p(b'tmpfs'), 0, 0),
}
for item in sys.argv[1:]:
    name, nr = item.split('=')
    args = probes[name]
    if name == 'kcmp':
        import os
        args = (os.getpid(), os.getpid(), 1, 0, 0)
    ctypes.set_errno(0)
    rc = libc.syscall(int(nr), *args)
    print(name, 0 if rc >= 0 else ctypes.get_errno())
