# Looks everywhere a secret of the host could show: prints whatever it finds.
for f in /etc/shadow /etc/gshadow /root/.bash_history /root/.ssh/id_rsa /home /var/run/redis /run/redis; do
  [ -e "$f" ] && echo "FOUND $f"
done
for p in /proc/[0-9]*; do
  tr '\0' '\n' < "$p/environ" 2>/dev/null
  tr '\0' ' ' < "$p/cmdline" 2>/dev/null; echo
done
cat /proc/1/environ 2>/dev/null | tr '\0' '\n'
ls / /etc
# only a run that got through every probe above prints this
echo read-secrets done
