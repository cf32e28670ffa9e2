# Every process forks copies of itself forever and retries when refused, so the box sits
# at whatever ceiling the kernel enforces; the main process waits it out. Must be held
# by the pids limit, end at the wall limit and leave nothing behind.
import os, time

def bomb():
    while True:
        try:
            os.fork()  # parent and child both go on forking
        except OSError:
            time.sleep(0.001)

if os.fork() == 0:
    bomb()
time.sleep(30)
