# The classic: every process forks two more, forever, while the main process stays.
# Must be held by the pids limit, end at the wall limit and leave nothing behind.
bomb() { bomb | bomb & }
bomb
exec sleep 30
