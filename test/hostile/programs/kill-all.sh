# Signals every process it can reach. Only the box's own processes may die of it.
sleep 30 &
sleeper=$!
kill -9 -1
wait "$sleeper" 2>/dev/null
[ "$?" -eq 137 ] && echo "sleeper killed"
echo survived
