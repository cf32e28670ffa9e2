# Forks sleepers until the kernel refuses, then reports how many it got.
import os, sys
n = 0
while True:
    try:
        pid = os.fork()
    except OSError as e:
        print(n, e.errno)
        sys.exit(0)
    if pid == 0:
        import time
        time.sleep(60)
        os._exit(0)
    n += 1
