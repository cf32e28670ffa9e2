# Touches memory a page at a time until something stops it.
chunks = []
while True:
    chunks.append(bytearray(16 << 20))
