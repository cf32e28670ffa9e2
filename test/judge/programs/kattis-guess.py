# A Kattis interactive output validator: input judge_answer feedback_dir; its stdout goes to
# the submission and the submission's output comes on stdin. The secret is the input's
# number; 10 guesses, each answered with <, > or =.
import sys

secret = int(open(sys.argv[1]).read())
feedback = sys.argv[3]


def done(code, message):
    with open(feedback + "judgemessage.txt", "w") as f:
        f.write(message + "\n")
    sys.exit(code)


for turn in range(1, 11):
    line = sys.stdin.readline()
    if not line:
        done(43, "no guess")
    guess = int(line)
    if guess == secret:
        print("=", flush=True)
        done(42, "found in %d" % turn)
    print("<" if secret < guess else ">", flush=True)
done(43, "too many guesses")
