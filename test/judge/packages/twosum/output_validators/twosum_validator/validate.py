# Two Sum's output validator: input judge_answer feedback_dir < team_output. Any pair
# i < j with a_i + a_j = t is right; "impossible" only when the judge says so too.
import sys

lines = open(sys.argv[1]).read().split("\n")
n, t = map(int, lines[0].split())
a = list(map(int, lines[1].split()))
judge = open(sys.argv[2]).read().split()
feedback = sys.argv[3]
team = sys.stdin.read().split()


def reject(message):
    with open(feedback + "judgemessage.txt", "w") as f:
        f.write(message + "\n")
    sys.exit(43)


if judge == ["impossible"]:
    if [w.lower() for w in team] != ["impossible"]:
        reject("expected impossible, got %s" % " ".join(team)[:50])
    sys.exit(42)
if len(team) != 2 or not all(w.isdigit() for w in team):
    reject("expected two indices, got %s" % " ".join(team)[:50])
i, j = int(team[0]), int(team[1])
if not 1 <= i < j <= n:
    reject("indices %d %d are not 1 <= i < j <= %d" % (i, j, n))
if a[i - 1] + a[j - 1] != t:
    reject("a[%d] + a[%d] = %d, not %d" % (i, j, a[i - 1] + a[j - 1], t))
sys.exit(42)
