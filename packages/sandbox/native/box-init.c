/*
 * codebox box init: the first program bwrap starts in a box, at /run/codebox/init.
 *
 * It runs inside the box, as the box's user, under the box's seccomp filter, in the
 * box's cgroup. It takes one command from the engine on its control socket (fd 6),
 * writes the command's files into the work dir itself (so their memory is the box's,
 * not the engine's), reports that the box is ready, waits for the word to go, lowers
 * its rlimits to the run's and execs the command. Nothing of the engine's reaches the
 * program: the control socket is close-on-exec and every other descriptor above 2 is
 * closed first.
 *
 * Protocol on fd 6 (a unix stream socket; integers little-endian):
 *   init -> engine  'H'                 started: the box is set up
 *   engine -> init  spec                see read_spec()
 *   init -> engine  'R'                 files written, about to wait for 'G'
 *                   'E' u32 n, n bytes  a setup step failed (the text says which); exit 125
 *   engine -> init  'G'                 go (EOF instead: the run was abandoned; exit 0)
 *   init -> engine  'X' u32 errno       exec failed; exit 127 (not found) or 126
 * After a successful exec the socket is closed (close-on-exec): no more messages.
 *
 * Session mode (the spec starts with SESSION_MAGIC; its argv is empty): after 'G' the
 * init does not exec but stays, as the box's supervisor. It sets the spec's rlimits on
 * itself (every command inherits them), becomes the reaper of the box's orphans and makes
 * itself undumpable (a process of the box, same uid, cannot read its memory or take its
 * descriptors through /proc), then serves frames from the engine:
 *   engine -> init  'C' u32 len, payload   start a command (see start_command()); its
 *                                          stdio arrive with it as SCM_RIGHTS descriptors
 *                   'K' u32 len, u32 id, u32 signal   signal a command's process group
 *   init -> engine  'P' u32 id, u32 pid    started
 *                   'F' u32 id, u32 errno  could not start (exec, chdir); it exits 127/126
 *                   'Q' u32 id, i32 wait status, u64 user us, u64 system us, u64 maxrss KiB
 *                                          its process ended (what it started may not have)
 * A command is its own session and process group (setsid), so a signal reaches what it
 * started too. A terminal command gets one descriptor, a pseudo-terminal's slave the
 * engine opened on the host, which becomes its controlling terminal. A builtin command
 * (files: read, write, list, remove, mkdir) is this program itself, forked: it works on
 * the work dir through descriptors, never following a link (see builtin()). End of input
 * on the control socket ends the init, and with it, bwrap tearing the namespace down,
 * the box.
 *
 * Built static (scripts/build-init.mjs), so it runs on any root, whatever its libc.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#define CTL 6
#define MAGIC 0x31584243u         /* "CBX1" */
#define SESSION_MAGIC 0x31534243u /* "CBS1" */
#define MAX_STRING (1u << 20)
#define MAX_ITEMS 65536u
#define MAX_PATH 4096u

static void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

static void write_all(int fd, const void *buf, size_t n) {
  const char *p = buf;
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) _exit(125); /* the engine is gone: nobody to tell */
    p += w;
    n -= (size_t)w;
  }
}

/* Reads exactly n bytes; false at end of input before the first byte (eof_ok). */
static int read_exact(void *buf, size_t n, int eof_ok) {
  char *p = buf;
  size_t got = 0;
  while (got < n) {
    ssize_t r = read(CTL, p + got, n - got);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) die("read the spec: %s", strerror(errno));
    if (r == 0) {
      if (got == 0 && eof_ok) return 0;
      die("the spec ended early");
    }
    got += (size_t)r;
  }
  return 1;
}

static void die(const char *fmt, ...) {
  char text[1024];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(text, sizeof text, fmt, ap);
  va_end(ap);
  if (n < 0) n = 0;
  if ((size_t)n >= sizeof text) n = sizeof text - 1;
  char head[5] = {'E'};
  uint32_t len = (uint32_t)n;
  memcpy(head + 1, &len, 4);
  write_all(CTL, head, 5);
  write_all(CTL, text, (size_t)n);
  _exit(125);
}

static uint32_t read_u32(void) {
  uint32_t v;
  read_exact(&v, 4, 0);
  return v;
}

static uint64_t read_u64(void) {
  uint64_t v;
  read_exact(&v, 8, 0);
  return v;
}

static char *read_string(uint32_t max, const char *what) {
  uint32_t n = read_u32();
  if (n > max) die("%s: %u bytes is over %u", what, n, max);
  char *s = malloc((size_t)n + 1);
  if (!s) die("%s: out of memory", what);
  read_exact(s, n, 0);
  if (memchr(s, 0, n)) die("%s: contains NUL", what);
  s[n] = 0;
  return s;
}

/* The engine checked every path already; a box never trusts that twice. */
static void check_path(const char *path) {
  if (path[0] == 0 || path[0] == '/') die("file path %s: must be relative", path);
  const char *seg = path;
  for (;;) {
    const char *end = strchr(seg, '/');
    size_t len = end ? (size_t)(end - seg) : strlen(seg);
    if (len == 0 || (len == 1 && seg[0] == '.') || (len == 2 && seg[0] == '.' && seg[1] == '.')) {
      die("file path %s: has an empty, . or .. part", path);
    }
    if (!end) break;
    seg = end + 1;
  }
}

/* Creates the parents of path under the work dir (cwd), as directories of 0755. */
static void make_parents(char *path) {
  for (char *p = strchr(path, '/'); p; p = strchr(p + 1, '/')) {
    *p = 0;
    if (mkdir(path, 0755) < 0 && errno != EEXIST) die("mkdir %s: %s", path, strerror(errno));
    struct stat st;
    if (lstat(path, &st) < 0 || !S_ISDIR(st.st_mode)) die("mkdir %s: not a directory", path);
    *p = '/';
  }
}

static void place_file(void) {
  char *path = read_string(MAX_PATH, "file path");
  uint32_t mode = read_u32() & 0777;
  uint64_t size = read_u64();
  check_path(path);
  make_parents(path);
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0) die("create %s: %s", path, strerror(errno));
  static char buf[1 << 16];
  while (size > 0) {
    size_t want = size < sizeof buf ? (size_t)size : sizeof buf;
    read_exact(buf, want, 0);
    const char *p = buf;
    size_t left = want;
    while (left > 0) {
      ssize_t w = write(fd, p, left);
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) die("write %s: %s", path, strerror(errno));
      p += w;
      left -= (size_t)w;
    }
    size -= want;
  }
  /* the umask must not change what the engine asked for */
  if (fchmod(fd, mode) < 0) die("chmod %s: %s", path, strerror(errno));
  if (close(fd) < 0) die("close %s: %s", path, strerror(errno));
  free(path);
}

struct limit {
  uint32_t resource;
  struct rlimit value;
};

struct spec {
  char **argv;
  char **envp;
  char *cwd;
  struct limit *limits;
  uint32_t nlimits;
};

static char **read_strings(const char *what) {
  uint32_t n = read_u32();
  if (n > MAX_ITEMS) die("%s: %u items is over %u", what, n, MAX_ITEMS);
  char **list = calloc((size_t)n + 1, sizeof *list);
  if (!list) die("%s: out of memory", what);
  for (uint32_t i = 0; i < n; i++) list[i] = read_string(MAX_STRING, what);
  return list;
}

/*
 * The spec: u32 MAGIC; u32 nfiles, each {string path, u32 mode, u64 size, size bytes};
 * argv and envp (each u32 count, then strings); string cwd; u32 nlimits, each
 * {u32 resource, u64 soft, u64 hard}. A string is u32 length, then its bytes.
 */
static struct spec read_spec(int *session) {
  struct spec s;
  uint32_t magic = read_u32();
  if (magic != MAGIC && magic != SESSION_MAGIC) die("the spec does not start with the magic number");
  *session = magic == SESSION_MAGIC;
  uint32_t nfiles = read_u32();
  if (nfiles > MAX_ITEMS) die("%u files is over %u", nfiles, MAX_ITEMS);
  for (uint32_t i = 0; i < nfiles; i++) place_file();
  s.argv = read_strings("argv");
  if (!*session && (!s.argv[0] || !s.argv[0][0])) die("argv is empty");
  s.envp = read_strings("environment");
  s.cwd = read_string(MAX_PATH, "cwd");
  s.nlimits = read_u32();
  if (s.nlimits > 64) die("%u rlimits", s.nlimits);
  s.limits = calloc(s.nlimits ? s.nlimits : 1, sizeof *s.limits);
  if (!s.limits) die("rlimits: out of memory");
  for (uint32_t i = 0; i < s.nlimits; i++) {
    s.limits[i].resource = read_u32();
    s.limits[i].value.rlim_cur = (rlim_t)read_u64();
    s.limits[i].value.rlim_max = (rlim_t)read_u64();
  }
  return s;
}

/* Every descriptor above stderr but the control socket: what bwrap left is not the program's. */
static void close_inherited(void) {
  if (syscall(SYS_close_range, 3, CTL - 1, 0) < 0 && errno != ENOSYS) die("close_range: %s", strerror(errno));
  if (syscall(SYS_close_range, CTL + 1, ~0u, 0) < 0 && errno != ENOSYS) die("close_range: %s", strerror(errno));
  if (fcntl(CTL, F_SETFD, FD_CLOEXEC) < 0) die("mark the control socket close-on-exec: %s", strerror(errno));
}

static void set_rlimits(const struct spec *s) {
  for (uint32_t i = 0; i < s->nlimits; i++) {
    if (setrlimit((int)s->limits[i].resource, &s->limits[i].value) < 0) {
      die("setrlimit %u: %s", s->limits[i].resource, strerror(errno));
    }
  }
}

/* ---- session mode ------------------------------------------------------------------ */

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1u << 2)
#endif
#define MAX_FRAME (8u << 20)
#define MAX_FDS 3
#define FLAG_TERMINAL 1u
#define FLAG_BUILTIN 2u
/* a builtin's exit codes beyond errno values */
#define EXIT_NOT_REGULAR 200
#define EXIT_TOO_LARGE 201

struct command {
  uint32_t id;
  pid_t pid;
};

static struct command *commands;
static size_t ncommands, capcommands;

/* what recvmsg brought: the bytes not parsed yet, and descriptors not yet taken */
static char *inbuf;
static size_t inlen, incap;
static int fdqueue[64];
static size_t nfdqueue;

/* a frame's payload, read field by field; any overrun is the engine's bug: die */
struct cursor {
  const char *p;
  size_t left;
};

static void take(struct cursor *c, void *out, size_t n) {
  if (c->left < n) die("a frame ended early");
  memcpy(out, c->p, n);
  c->p += n;
  c->left -= n;
}

static uint32_t take_u32(struct cursor *c) {
  uint32_t v;
  take(c, &v, 4);
  return v;
}

static char *take_string(struct cursor *c) {
  uint32_t n = take_u32(c);
  if (n > c->left) die("a frame's string ends past it");
  if (memchr(c->p, 0, n)) die("a string contains NUL");
  char *s = malloc((size_t)n + 1);
  if (!s) die("out of memory");
  memcpy(s, c->p, n);
  s[n] = 0;
  c->p += n;
  c->left -= n;
  return s;
}

static char **take_strings(struct cursor *c) {
  uint32_t n = take_u32(c);
  if (n > MAX_ITEMS) die("%u strings", n);
  char **list = calloc((size_t)n + 1, sizeof *list);
  if (!list) die("out of memory");
  for (uint32_t i = 0; i < n; i++) list[i] = take_string(c);
  return list;
}

static void free_strings(char **list) {
  for (char **p = list; *p; p++) free(*p);
  free(list);
}

static void send_u32s(char kind, const uint32_t *v, size_t n) {
  char msg[1 + 8 * 5];
  msg[0] = kind;
  memcpy(msg + 1, v, 4 * n);
  write_all(CTL, msg, 1 + 4 * n);
}

/* ---- builtins: file operations on the work dir, never through a link ---------------- */

/* the fd of the directory holding path's last part (its parents made when make), and that part */
static int walk_parent(int root, const char *path, int make, const char **last) {
  char *copy = strdup(path);
  if (!copy) return -ENOMEM;
  int dir = dup(root);
  char *seg = copy;
  for (char *slash; (slash = strchr(seg, '/')); seg = slash + 1) {
    *slash = 0;
    if (make && mkdirat(dir, seg, 0755) < 0 && errno != EEXIST) goto fail;
    int next = openat(dir, seg, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (next < 0) {
      /* O_DIRECTORY answers ENOTDIR for a link: say what it is */
      struct stat st;
      if (errno == ENOTDIR && fstatat(dir, seg, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) errno = ELOOP;
      goto fail;
    }
    close(dir);
    dir = next;
  }
  *last = path + (seg - copy);
  free(copy);
  return dir;
fail:;
  int err = errno;
  close(dir);
  free(copy);
  return -err;
}

static int copy_fd(int from, int to) {
  static char buf[1 << 16];
  for (;;) {
    ssize_t r = read(from, buf, sizeof buf);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return errno;
    if (r == 0) return 0;
    for (ssize_t off = 0; off < r;) {
      ssize_t w = write(to, buf + off, (size_t)(r - off));
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) return errno;
      off += w;
    }
  }
}

static int file_read(int root, const char *path, unsigned long long max) {
  const char *name;
  int dir = walk_parent(root, path, 0, &name);
  if (dir < 0) return -dir;
  /* O_NONBLOCK: a FIFO planted here must not hang the open */
  int fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return errno;
  struct stat st;
  if (fstat(fd, &st) < 0) return errno;
  if (!S_ISREG(st.st_mode)) return EXIT_NOT_REGULAR;
  if ((unsigned long long)st.st_size > max) return EXIT_TOO_LARGE;
  return copy_fd(fd, 1);
}

static int file_write(int root, const char *path, mode_t mode) {
  const char *name;
  int dir = walk_parent(root, path, 1, &name);
  if (dir < 0) return -dir;
  int fd = openat(dir, name, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, mode);
  if (fd < 0) return errno;
  struct stat st;
  if (fstat(fd, &st) < 0) return errno;
  if (!S_ISREG(st.st_mode)) return EXIT_NOT_REGULAR;
  if (ftruncate(fd, 0) < 0) return errno;
  int err = copy_fd(0, fd);
  if (err) return err;
  if (fchmod(fd, mode) < 0) return errno;
  return close(fd) < 0 ? errno : 0;
}

static int make_dirs(int root, const char *path) {
  const char *name;
  int dir = walk_parent(root, path, 1, &name);
  if (dir < 0) return -dir;
  if (mkdirat(dir, name, 0755) < 0 && errno != EEXIST) return errno;
  struct stat st;
  if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0) return errno;
  return S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
}

/* removes what dir holds, depth first; links are removed, never followed */
static int empty_dir(int dir) {
  DIR *d = fdopendir(dir);
  if (!d) return errno;
  struct dirent *e;
  int err = 0;
  while ((e = readdir(d))) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    struct stat st;
    if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) return errno;
    if (S_ISDIR(st.st_mode)) {
      int sub = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (sub < 0) return errno;
      if ((err = empty_dir(sub))) return err;
      if (unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR) < 0) return errno;
    } else if (unlinkat(dirfd(d), e->d_name, 0) < 0) {
      return errno;
    }
  }
  closedir(d);
  return 0;
}

static int remove_path(int root, const char *path) {
  const char *name;
  int dir = walk_parent(root, path, 0, &name);
  if (dir < 0) return -dir;
  struct stat st;
  if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0) return errno;
  if (!S_ISDIR(st.st_mode)) return unlinkat(dir, name, 0) < 0 ? errno : 0;
  int sub = openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (sub < 0) return errno;
  int err = empty_dir(sub);
  if (err) return err;
  return unlinkat(dir, name, AT_REMOVEDIR) < 0 ? errno : 0;
}

static unsigned long listed, list_max;

/* one record per entry: type, mode (octal), size, mtime (ms) and path, each NUL-ended */
static int list_dir(int dir, const char *prefix, unsigned depth) {
  DIR *d = fdopendir(dir);
  if (!d) return errno;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    if (listed >= list_max) {
      dprintf(1, "!%c", 0);
      break;
    }
    struct stat st;
    if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) continue; /* gone meanwhile */
    char type = S_ISREG(st.st_mode) ? 'f' : S_ISDIR(st.st_mode) ? 'd' : S_ISLNK(st.st_mode) ? 'l' : 'o';
    char path[MAX_PATH + 256];
    int n = snprintf(path, sizeof path, "%s%s%s", prefix, prefix[0] ? "/" : "", e->d_name);
    if (n < 0 || (size_t)n >= sizeof path) continue;
    long long ms = (long long)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;
    dprintf(1, "%c%c%o%c%lld%c%lld%c%s%c", type, 0, st.st_mode & 07777, 0, (long long)st.st_size, 0, ms, 0, path, 0);
    listed++;
    if (type == 'd' && depth > 1) {
      int sub = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (sub >= 0) list_dir(sub, path, depth - 1);
    }
  }
  closedir(d);
  return 0;
}

static int list_path(int root, const char *path, unsigned depth, unsigned long max) {
  list_max = max;
  /* a descriptor of its own: a dup would share (and leave at its end) the root's offset */
  if (!path[0]) return list_dir(openat(root, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC), "", depth);
  const char *name;
  int dir = walk_parent(root, path, 0, &name);
  if (dir < 0) return -dir;
  int fd = openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    struct stat st;
    if (errno == ENOTDIR && fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) return ELOOP;
    return errno;
  }
  return list_dir(fd, "", depth);
}

/* A file operation, as the box's user, in a forked child: its exit code is 0 or an errno. */
static int builtin(int root, char **argv) {
  /* an oversized write answers EFBIG rather than killing us */
  signal(SIGXFSZ, SIG_IGN);
  const char *op = argv[0], *path = argv[1] ? argv[1] : "";
  if (path[0]) check_path(path);
  if (!strcmp(op, "read") && argv[2]) return file_read(root, path, strtoull(argv[2], 0, 10));
  if (!strcmp(op, "write") && argv[2] && path[0]) return file_write(root, path, (mode_t)(strtoul(argv[2], 0, 8) & 0777));
  if (!strcmp(op, "mkdir") && path[0]) return make_dirs(root, path);
  if (!strcmp(op, "remove") && path[0]) return remove_path(root, path);
  if (!strcmp(op, "list") && argv[2] && argv[3]) return list_path(root, path, (unsigned)atoi(argv[2]), strtoul(argv[3], 0, 10));
  return EINVAL;
}

/* ---- commands ------------------------------------------------------------------------ */

/*
 * 'C' payload: u32 id, u32 flags, u32 nfds, argv, envp, string cwd. The descriptors
 * (three: stdin, stdout, stderr; one for a terminal) came with it.
 */
static void start_command(struct cursor *c, int root, const sigset_t *oldmask) {
  uint32_t id = take_u32(c), flags = take_u32(c), nfds = take_u32(c);
  if (nfds > MAX_FDS || nfds > nfdqueue) die("command %u: %u descriptors, %zu came", id, nfds, nfdqueue);
  int fds[MAX_FDS];
  memcpy(fds, fdqueue, nfds * sizeof *fds);
  memmove(fdqueue, fdqueue + nfds, (nfdqueue - nfds) * sizeof *fdqueue);
  nfdqueue -= nfds;
  char **argv = take_strings(c);
  char **envp = take_strings(c);
  char *cwd = take_string(c);
  if (!argv[0] || !argv[0][0]) die("command %u: argv is empty", id);
  int report[2];
  if (pipe2(report, O_CLOEXEC) < 0) die("pipe: %s", strerror(errno));
  pid_t pid = fork();
  if (pid < 0) {
    uint32_t v[2] = {id, (uint32_t)errno};
    send_u32s('F', v, 2);
  } else if (pid == 0) {
    close(report[0]);
    sigprocmask(SIG_SETMASK, oldmask, 0);
    setsid();
    int in = fds[0], out = nfds == 3 ? fds[1] : fds[0], err = nfds == 3 ? fds[2] : fds[0];
    if (flags & FLAG_TERMINAL) ioctl(in, TIOCSCTTY, 0);
    /* move them out of 0-2 first, so that no dup2 below overwrites another */
    in = fcntl(in, F_DUPFD_CLOEXEC, 10);
    out = fcntl(out, F_DUPFD_CLOEXEC, 10);
    err = fcntl(err, F_DUPFD_CLOEXEC, 10);
    if (in < 0 || out < 0 || err < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0) _exit(126);
    close(CTL);
    if (flags & FLAG_BUILTIN) _exit(builtin(root, argv));
    int e = 0;
    if (cwd[0] && chdir(cwd) < 0) {
      e = errno;
      uint32_t ue = (uint32_t)e;
      if (write(report[1], &ue, 4) < 0) _exit(126);
      dprintf(2, "codebox: cannot enter %s: %s\n", cwd, strerror(e));
      _exit(126);
    }
    /* everything above stderr goes at the exec; the report pipe tells us it happened */
    syscall(SYS_close_range, 3, ~0u, CLOSE_RANGE_CLOEXEC);
    environ = envp;
    execvp(argv[0], argv);
    e = errno;
    uint32_t ue = (uint32_t)e;
    if (write(report[1], &ue, 4) < 0) _exit(126);
    if (e == ENOENT && !strchr(argv[0], '/')) dprintf(2, "codebox: %s: command not found\n", argv[0]);
    else dprintf(2, "codebox: cannot run %s: %s\n", argv[0], strerror(e));
    _exit(e == ENOENT || e == ENOTDIR ? 127 : 126);
  } else {
    close(report[1]);
    uint32_t started[2] = {id, (uint32_t)pid};
    send_u32s('P', started, 2);
    /* returns at the exec (close-on-exec: end of input) or with why it failed; a builtin
       has no exec to report, and is not waited on: for as long as it works, or for ever if
       a program in the box stops it (the same user may) */
    uint32_t e;
    ssize_t r = 0;
    if (!(flags & FLAG_BUILTIN)) {
      do r = read(report[0], &e, 4);
      while (r < 0 && errno == EINTR);
    }
    if (r == 4) {
      uint32_t v[2] = {id, e};
      send_u32s('F', v, 2);
    }
    if (ncommands == capcommands) {
      capcommands = capcommands ? 2 * capcommands : 16;
      commands = realloc(commands, capcommands * sizeof *commands);
      if (!commands) die("out of memory");
    }
    commands[ncommands++] = (struct command){id, pid};
  }
  close(report[0]);
  for (uint32_t i = 0; i < nfds; i++) close(fds[i]);
  free_strings(argv);
  free_strings(envp);
  free(cwd);
}

static void signal_command(struct cursor *c) {
  uint32_t id = take_u32(c), sig = take_u32(c);
  for (size_t i = 0; i < ncommands; i++) {
    if (commands[i].id != id) continue;
    /* its group: what it started goes too; the process alone if it left its group */
    if (kill(-commands[i].pid, (int)sig) < 0) kill(commands[i].pid, (int)sig);
  }
}

static void reap(void) {
  for (;;) {
    int status;
    struct rusage ru;
    pid_t pid = wait4(-1, &status, WNOHANG, &ru);
    if (pid <= 0) return;
    for (size_t i = 0; i < ncommands; i++) {
      if (commands[i].pid != pid) continue;
      char msg[1 + 4 + 4 + 8 * 3] = {'Q'};
      uint64_t user = (uint64_t)ru.ru_utime.tv_sec * 1000000 + (uint64_t)ru.ru_utime.tv_usec;
      uint64_t sys = (uint64_t)ru.ru_stime.tv_sec * 1000000 + (uint64_t)ru.ru_stime.tv_usec;
      uint64_t rss = (uint64_t)ru.ru_maxrss;
      int32_t st = status;
      memcpy(msg + 1, &commands[i].id, 4);
      memcpy(msg + 5, &st, 4);
      memcpy(msg + 9, &user, 8);
      memcpy(msg + 17, &sys, 8);
      memcpy(msg + 25, &rss, 8);
      write_all(CTL, msg, sizeof msg);
      commands[i] = commands[--ncommands];
      break;
    }
  }
}

/* reads what the socket has, with any descriptors; false at end of input */
static int receive(void) {
  if (incap - inlen < (1 << 16)) {
    incap = incap ? 2 * incap : 1 << 17;
    if (incap > 2 * (size_t)MAX_FRAME) die("the engine sent more than a frame's worth at once");
    inbuf = realloc(inbuf, incap);
    if (!inbuf) die("out of memory");
  }
  union {
    char buf[CMSG_SPACE(sizeof(int) * 16)];
    struct cmsghdr align;
  } control;
  struct iovec iov = {inbuf + inlen, incap - inlen};
  struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf, .msg_controllen = sizeof control.buf};
  ssize_t r;
  do r = recvmsg(CTL, &m, MSG_CMSG_CLOEXEC);
  while (r < 0 && errno == EINTR);
  if (r < 0) die("recvmsg: %s", strerror(errno));
  for (struct cmsghdr *h = CMSG_FIRSTHDR(&m); h; h = CMSG_NXTHDR(&m, h)) {
    if (h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_RIGHTS) continue;
    size_t n = (h->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (size_t i = 0; i < n; i++) {
      int fd;
      memcpy(&fd, CMSG_DATA(h) + i * sizeof(int), sizeof fd);
      if (nfdqueue == sizeof fdqueue / sizeof *fdqueue) die("too many descriptors waiting");
      fdqueue[nfdqueue++] = fd;
    }
  }
  if (m.msg_flags & MSG_CTRUNC) die("descriptors were cut off");
  inlen += (size_t)r;
  return r > 0;
}

static void handle_frames(int root, const sigset_t *oldmask) {
  size_t off = 0;
  while (inlen - off >= 5) {
    char kind = inbuf[off];
    uint32_t len;
    memcpy(&len, inbuf + off + 1, 4);
    if (len > MAX_FRAME) die("a frame of %u bytes", len);
    if (inlen - off - 5 < len) break;
    struct cursor c = {inbuf + off + 5, len};
    if (kind == 'C') start_command(&c, root, oldmask);
    else if (kind == 'K') signal_command(&c);
    else die("unknown frame %d", kind);
    off += 5 + len;
  }
  memmove(inbuf, inbuf + off, inlen - off);
  inlen -= off;
}

static void serve(const struct spec *s) {
  if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) die("subreaper: %s", strerror(errno));
  if (prctl(PR_SET_DUMPABLE, 0) < 0) die("undumpable: %s", strerror(errno));
  int root = open(s->cwd[0] ? s->cwd : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (root < 0) die("open %s: %s", s->cwd, strerror(errno));
  sigset_t mask, oldmask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGCHLD);
  sigprocmask(SIG_BLOCK, &mask, &oldmask);
  int children = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
  if (children < 0) die("signalfd: %s", strerror(errno));
  for (;;) {
    struct pollfd p[2] = {{CTL, POLLIN, 0}, {children, POLLIN, 0}};
    if (poll(p, 2, -1) < 0) {
      if (errno == EINTR) continue;
      die("poll: %s", strerror(errno));
    }
    if (p[1].revents) {
      struct signalfd_siginfo info;
      while (read(children, &info, sizeof info) > 0) {
      }
      reap();
    }
    if (p[0].revents) {
      if (!receive()) _exit(0);
      handle_frames(root, &oldmask);
    }
  }
}

int main(void) {
  close_inherited();
  write_all(CTL, "H", 1);
  int session = 0;
  struct spec s = read_spec(&session);
  write_all(CTL, "R", 1);
  char go;
  if (!read_exact(&go, 1, 1)) _exit(0);
  if (go != 'G') die("expected G, got %d", go);
  if (s.cwd[0] && chdir(s.cwd) < 0) die("chdir %s: %s", s.cwd, strerror(errno));
  /* last, so that writing the files was not bounded by the program's own limits */
  if (session) {
    set_rlimits(&s);
    serve(&s);
  }
  set_rlimits(&s);
  /* execvp searches the program's own PATH (or the default), as bwrap's execvp did */
  environ = s.envp;
  execvp(s.argv[0], s.argv);
  int err = errno;
  char msg[5] = {'X'};
  uint32_t e = (uint32_t)err;
  memcpy(msg + 1, &e, 4);
  write_all(CTL, msg, 5);
  dprintf(2, "codebox: cannot run %s: %s\n", s.argv[0], strerror(err));
  _exit(err == ENOENT || err == ENOTDIR ? 127 : 126);
}
