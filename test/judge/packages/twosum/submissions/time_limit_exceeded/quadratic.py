# Too slow for group 2 on any machine: every ordered pair, its sum compared as text.
n, t = map(int, input().split())
a = list(map(int, input().split()))
target = str(t)
found = None
for i in range(n):
    for j in range(n):
        if i < j and str(a[i] + a[j]) == target and found is None:
            found = (i + 1, j + 1)
print(*found) if found else print("impossible")
