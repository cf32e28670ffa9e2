# Fills one kind of kernel buffer from many processes at once, each until the kernel
# refuses (or the box is killed), to pin host memory outside the box's memory limit.
# argv: KIND PROCS. Kinds: netlink unix-stream unix-dgram pipe udp tcp sysv-msg mqueue.
# Prints "total N" (bytes held at once by the processes still alive: one the OOM killer
# took frees what it held) each time the sum grows by 4 MiB, so the highest such line
# stands even when the box is killed mid-way; then "done N ERRNOS" once every process
# has stopped, and "fillers" with how many were forked and how the dead ones ended.
# A refused socket family prints "refused ERRNO" at once.
import ctypes, errno, fcntl, os, select, socket, struct, sys, time

KIND, PROCS = sys.argv[1], int(sys.argv[2])
F_SETPIPE_SZ = 1031
FULL = (errno.EAGAIN, errno.ENOBUFS, errno.ENOMEM)
libc = ctypes.CDLL(None, use_errno=True)


def fill(send, chunk, most=1 << 40):
    """Sends until the kernel says the buffer is full; returns the bytes it took."""
    n = 0
    while n < most:
        try:
            sent = send(chunk)
        except OSError as e:
            if e.errno in FULL:
                return n
            raise
        if sent <= 0:
            return n
        n += sent
    return n


def stopped(n, call):
    """n when the kernel said full; any other refusal is the probe's error, with its errno"""
    err = ctypes.get_errno()
    if err in FULL:
        return n
    raise OSError(err, call)


def one_buffer(keep):
    """Opens one more buffer of KIND and fills it: the bytes now held in it."""
    if KIND == 'netlink':
        s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 30)
        s.bind((0, 0))
        s.setblocking(False)
        keep.append(s)
        # RTM_GETLINK dumps, never read: each answer (at least 1 KB) queues in the socket
        dump = struct.pack('=LHHLLBxxxiII', 32, 18, 0x301, 1, 0, 0, 0, 0, 0)
        return 1000 * fill(s.send, dump, 32 * 5000) // 32
    if KIND in ('unix-stream', 'unix-dgram'):
        stream = KIND == 'unix-stream'
        a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM if stream else socket.SOCK_DGRAM)
        a.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 30)
        b.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 30)
        a.setblocking(False)
        keep += [a, b]
        return fill(a.send, b'x' * (65536 if stream else 8192))
    if KIND == 'pipe':
        r, w = os.pipe()
        keep += [r, w]
        try:
            fcntl.fcntl(w, F_SETPIPE_SZ, 1 << 20)
        except OSError:
            pass
        os.set_blocking(w, False)
        return fill(lambda c: os.write(w, c), b'x' * 65536)
    if KIND == 'udp':
        r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        r.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 30)
        r.bind(('127.0.0.1', 0))
        w = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        w.setblocking(False)
        keep += [r, w]
        # a datagram the receiver has no room for is dropped, not refused: the receiver's
        # queue, as the kernel counts it, is what is held
        fill(lambda c: w.sendto(c, r.getsockname()), b'x' * 8192, 4 << 20)
        return queued(r)
    if KIND == 'tcp':
        listener = socket.socket()
        listener.bind(('127.0.0.1', 0))
        listener.listen(1)
        c = socket.socket()
        c.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 30)
        c.connect(listener.getsockname())
        a, _ = listener.accept()
        a.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 30)
        c.setblocking(False)
        keep += [listener, c, a]
        return fill(c.send, b'x' * 65536)
    if KIND == 'sysv-msg':
        q = libc.msgget(0, 0o1600)  # IPC_PRIVATE, IPC_CREAT | 0600
        if q < 0:
            raise OSError(ctypes.get_errno(), 'msgget')
        msg = ctypes.create_string_buffer(struct.pack('l', 1) + b'x' * 8192)
        n = 0
        while libc.msgsnd(q, msg, 8192, 0o4000) == 0:  # IPC_NOWAIT
            n += 8192
        return stopped(n, 'msgsnd')
    if KIND == 'mqueue':
        attr = (ctypes.c_long * 8)(0, 10, 8192, 0)
        q = libc.mq_open(f'/q{os.getpid()}-{len(keep)}'.encode(), os.O_CREAT | os.O_RDWR | os.O_NONBLOCK, 0o600, attr)
        if q < 0:
            raise OSError(ctypes.get_errno(), 'mq_open')
        keep.append(q)
        n = 0
        while libc.mq_send(q, b'x' * 8192, 8192, 0) == 0:
            n += 8192
        return stopped(n, 'mq_send')
    raise SystemExit(f'unknown kind {KIND}')


def queued(sock):
    """the bytes (truesize) in a UDP socket's receive queue, as /proc/net/udp counts them"""
    port = sock.getsockname()[1]
    with open('/proc/net/udp') as f:
        for line in f.readlines()[1:]:
            fields = line.split()
            if int(fields[1].split(':')[1], 16) == port:
                return int(fields[4].split(':')[1], 16)
    return 0


def child(report):
    # the kernel's OOM killer takes a filler, never the parent that counts
    with open('/proc/self/oom_score_adj', 'w') as f:
        f.write('1000')
    keep, total = [], 0
    try:
        while True:
            got = one_buffer(keep)
            total += got
            os.write(report, f'{os.getpid()} {total}\n'.encode())
            if got == 0:
                break
        os.write(report, f'{os.getpid()} {total} 0 end\n'.encode())
    except OSError as e:
        os.write(report, f'{os.getpid()} {total} {e.errno} end\n'.encode())
    time.sleep(120)


try:
    family = {'netlink': socket.AF_NETLINK, 'udp': socket.AF_INET, 'tcp': socket.AF_INET}.get(KIND)
    if family is not None:
        socket.socket(family, socket.SOCK_DGRAM if family != socket.AF_NETLINK else socket.SOCK_RAW).close()
except OSError as e:
    print('refused', e.errno, flush=True)
    sys.exit(0)

r, w = os.pipe()
kids, forkerr = 0, None
for _ in range(PROCS):
    try:
        pid = os.fork()
    except OSError as e:
        forkerr = e.errno
        break
    if pid == 0:
        os.close(r)
        child(w)
        os._exit(0)
    kids += 1
os.close(w)
latest, ended, errnos, shown, killed = {}, set(), set(), 0, []
live = kids


def reap():
    """a filler the OOM killer took holds nothing any more: its bytes leave the sum"""
    global live
    while live > 0:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        live -= 1
        killed.append(os.WTERMSIG(status) if os.WIFSIGNALED(status) else -os.WEXITSTATUS(status))
        latest.pop(str(pid).encode(), None)
        ended.add(str(pid).encode())


with os.fdopen(r, 'rb', buffering=0) as reports:
    pending = b''
    while len(ended) < kids:
        ready, _, _ = select.select([reports], [], [], 0.05)
        reap()
        if not ready:
            continue
        chunk = reports.read(4096)
        if not chunk:
            break
        pending += chunk
        *lines, pending = pending.split(b'\n')
        for line in lines:
            fields = line.split()
            if fields[0] in ended:
                continue
            latest[fields[0]] = int(fields[1])
            if len(fields) > 3:
                errnos.add(int(fields[2]))
                ended.add(fields[0])
        reap()
        total = sum(latest.values())
        if total >= shown + (4 << 20):
            shown = total
            print('total', total, flush=True)
print('total', sum(latest.values()))
print('done', sum(latest.values()), ' '.join(map(str, sorted(errnos))), flush=True)
# how the fillers ended, for a run that held nothing: forked, fork's errno, signals (-code: exited)
print('fillers', kids, 'forkerr', forkerr, 'ended', killed, flush=True)
