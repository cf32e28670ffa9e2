# Fills the directory given as argv[1] until ENOSPC; prints bytes written and the errno.
import os, sys
path = os.path.join(sys.argv[1], 'fill')
written = 0
block = b'x' * (1 << 20)
with open(path, 'wb', buffering=0) as f:
    try:
        while True:
            written += f.write(block)
    except OSError as e:
        print(written, e.errno)
