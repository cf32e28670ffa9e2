// Sum in Subtasks: one line "a b", |a|, |b| <= 2e9.
#include "testlib.h"
#include "sum.h"

int main(int argc, char *argv[]) {
    registerValidation(argc, argv);
    inf.readLong(-SUM_BOUND, SUM_BOUND, "a");
    inf.readSpace();
    inf.readLong(-SUM_BOUND, SUM_BOUND, "b");
    inf.readEoln();
    inf.readEof();
}
