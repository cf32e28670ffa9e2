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
 * Built static (scripts/build-init.mjs), so it runs on any root, whatever its libc.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define CTL 6
#define MAGIC 0x31584243u /* "CBX1" */
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
static struct spec read_spec(void) {
  struct spec s;
  if (read_u32() != MAGIC) die("the spec does not start with the magic number");
  uint32_t nfiles = read_u32();
  if (nfiles > MAX_ITEMS) die("%u files is over %u", nfiles, MAX_ITEMS);
  for (uint32_t i = 0; i < nfiles; i++) place_file();
  s.argv = read_strings("argv");
  if (!s.argv[0] || !s.argv[0][0]) die("argv is empty");
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

int main(void) {
  close_inherited();
  write_all(CTL, "H", 1);
  struct spec s = read_spec();
  write_all(CTL, "R", 1);
  char go;
  if (!read_exact(&go, 1, 1)) _exit(0);
  if (go != 'G') die("expected G, got %d", go);
  if (s.cwd[0] && chdir(s.cwd) < 0) die("chdir %s: %s", s.cwd, strerror(errno));
  /* last, so that writing the files was not bounded by the program's own limits */
  for (uint32_t i = 0; i < s.nlimits; i++) {
    if (setrlimit((int)s.limits[i].resource, &s.limits[i].value) < 0) {
      die("setrlimit %u: %s", s.limits[i].resource, strerror(errno));
    }
  }
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
