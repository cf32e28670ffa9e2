# Too slow for group 2: every pair.
n, t = map(int, input().split())
a = list(map(int, input().split()))
found = None
for i in range(n):
    for j in range(i + 1, n):
        if a[i] + a[j] == t and found is None:
            found = (i + 1, j + 1)
print(*found) if found else print("impossible")
