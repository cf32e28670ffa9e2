#include <algorithm>
#include <cstdio>
#include <vector>

int main() {
    int n;
    long long t;
    if (scanf("%d %lld", &n, &t) != 2) return 1;
    std::vector<std::pair<long long, int>> a(n);
    for (int i = 0; i < n; i++) {
        scanf("%lld", &a[i].first);
        a[i].second = i + 1;
    }
    std::sort(a.begin(), a.end());
    for (int lo = 0, hi = n - 1; lo < hi;) {
        long long s = a[lo].first + a[hi].first;
        if (s == t) {
            printf("%d %d\n", std::min(a[lo].second, a[hi].second), std::max(a[lo].second, a[hi].second));
            return 0;
        }
        if (s < t) lo++;
        else hi--;
    }
    printf("impossible\n");
}
