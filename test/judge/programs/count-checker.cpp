// Judges what guess-interactor.cpp wrote: full points in at most 7 guesses, half in 8 to 10.
#include "testlib.h"

int main(int argc, char *argv[]) {
    registerTestlibCmd(argc, argv);
    int turns = ouf.readInt(1, 10, "turns");
    if (turns <= 7) quitf(_ok, "%d guesses", turns);
    quitp(0.5, "%d guesses: more than 7", turns);
}
