# A double-forked, setsid daemon that means to outlive the run.
setsid sh -c 'sleep 300 & exit 0' </dev/null >/dev/null 2>&1 &
sleep 0.2
echo parent-done
