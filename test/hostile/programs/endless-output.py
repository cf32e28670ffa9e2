import os
line = b'y' * 65535 + b'\n'
while True:
    os.write(1, line)
