# Wrong: looks only at neighbours; the pair in secret/group1/2 is not.
n, t = map(int, input().split())
a = list(map(int, input().split()))
for i in range(n - 1):
    if a[i] + a[i + 1] == t:
        print(i + 1, i + 2)
        break
else:
    print("impossible")
