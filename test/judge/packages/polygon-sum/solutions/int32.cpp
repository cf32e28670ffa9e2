// Wrong: a 32-bit sum overflows on the large subtask (tests 4 and 5).
#include <cstdio>

int main() {
    int a, b;
    if (scanf("%d %d", &a, &b) != 2) return 1;
    printf("%d\n", a + b);
}
