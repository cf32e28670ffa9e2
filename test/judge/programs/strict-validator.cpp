// A strict input validator: one line "n" (1..100), then n integers in 1..10^9 separated by
// single spaces, then the end of the file.
#include "testlib.h"

int main(int argc, char *argv[]) {
    registerValidation(argc, argv);
    int n = inf.readInt(1, 100, "n");
    inf.readEoln();
    inf.readInts(n, 1, 1000000000, "a");
    inf.readEoln();
    inf.readEof();
    return 0;
}
