// A testlib checker for "print a + b": exact sums accepted, a sum off by one gets half the
// test's points (quitp), anything else is a wrong answer; the answer file must be a number.
#include "testlib.h"

int main(int argc, char *argv[]) {
    registerTestlibCmd(argc, argv);
    long long a = inf.readLong(-1000000000LL, 1000000000LL, "a");
    long long b = inf.readLong(-1000000000LL, 1000000000LL, "b");
    long long want = ans.readLong();
    if (want != a + b) quitf(_fail, "the answer %lld is not %lld + %lld", want, a, b);
    long long got = ouf.readLong(-2000000000LL, 2000000000LL, "sum");
    if (got == want) quitf(_ok, "%lld + %lld = %lld", a, b, got);
    if (got == want + 1 || got == want - 1) quitp(0.5, "off by one: %lld", got);
    quitf(_wa, "expected %lld, found %lld", want, got);
}
