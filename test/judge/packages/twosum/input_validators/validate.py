# Two Sum's input: "n t", then n integers; 2 <= n <= 5000, |t| <= 2e9, |a_i| <= 1e9.
import re
import sys

text = sys.stdin.read()
m = re.fullmatch(r"(\d+) (-?\d+)\n((?:-?\d+ )*-?\d+)\n", text)
if not m:
    sys.exit(43)
n, t = int(m.group(1)), int(m.group(2))
a = [int(x) for x in m.group(3).split(" ")]
ok = 2 <= n <= 5000 and len(a) == n and abs(t) <= 2 * 10**9 and all(abs(x) <= 10**9 for x in a)
sys.exit(42 if ok else 43)
