// A testlib interactor: the secret is the input's number (1..1000); the solution has 10
// guesses and is told < or > or =. What it writes to tout is the number of guesses, for
// the checker (count-checker.cpp) to judge.
#include "testlib.h"
#include <iostream>

int main(int argc, char *argv[]) {
    registerInteraction(argc, argv);
    int secret = inf.readInt(1, 1000, "secret");
    for (int turn = 1; turn <= 10; turn++) {
        int guess = ouf.readInt(1, 1000, "guess");
        if (guess == secret) {
            std::cout << "=" << std::endl;
            tout << turn << std::endl;
            quitf(_ok, "found in %d", turn);
        }
        std::cout << (secret < guess ? "<" : ">") << std::endl;
    }
    quitf(_wa, "too many guesses");
}
