# A Kattis output validator for "print a + b": input judge_answer feedback_dir [flags] < team
# output. Exit 42 accepts, 43 rejects; judgemessage.txt says why. With the flag "score",
# score.txt gives 10 for an exact sum and 3 for one off by one (then still accepted).
import sys

input_file, answer_file, feedback = sys.argv[1], sys.argv[2], sys.argv[3]
flags = sys.argv[4:]
a, b = map(int, open(input_file).read().split())
want = int(open(answer_file).read())
team = sys.stdin.read().split()


def verdict(code, message, score=None):
    with open(feedback + "judgemessage.txt", "w") as f:
        f.write(message + "\n")
    if score is not None:
        with open(feedback + "score.txt", "w") as f:
            f.write(str(score) + "\n")
    sys.exit(code)


if len(team) != 1 or not team[0].lstrip("-").isdigit():
    verdict(43, "expected one integer, got %r" % " ".join(team)[:40])
got = int(team[0])
if got == want:
    verdict(42, "%d + %d = %d" % (a, b, got), 10 if "score" in flags else None)
if "score" in flags and abs(got - want) == 1:
    verdict(42, "off by one", 3)
verdict(43, "expected %d, got %d" % (want, got))
