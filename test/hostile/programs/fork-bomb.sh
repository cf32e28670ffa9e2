# Every process forks copies of itself forever, and keeps trying when refused, so the
# box stays at whatever ceiling the kernel enforces; the main process waits it out.
# Must be held by the pids limit, end at the wall limit and leave nothing behind.
bomb() { while :; do bomb & done; }
bomb &
exec sleep 30
