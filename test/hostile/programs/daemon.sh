# A double-forked, setsid daemon that means to outlive the run.
setsid sh -c 'sleep 300 & exit 0' </dev/null >/dev/null 2>&1 &
sleep 0.2
echo parent-done
# a moment in which the test looks at the host's processes (the daemon's sleeper among them)
sleep 0.5
