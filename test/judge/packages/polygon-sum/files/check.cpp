// Sum in Subtasks: the output must be the one number a + b.
#include "testlib.h"
#include "sum.h"

int main(int argc, char *argv[]) {
    registerTestlibCmd(argc, argv);
    long long a = inf.readLong(-SUM_BOUND, SUM_BOUND, "a");
    long long b = inf.readLong(-SUM_BOUND, SUM_BOUND, "b");
    long long jury = ans.readLong();
    if (jury != a + b) quitf(_fail, "the answer file says %lld, not %lld", jury, a + b);
    long long got = ouf.readLong(-2 * SUM_BOUND, 2 * SUM_BOUND, "sum");
    if (got != jury) quitf(_wa, "expected %lld, found %lld", jury, got);
    quitf(_ok, "%lld", got);
}
