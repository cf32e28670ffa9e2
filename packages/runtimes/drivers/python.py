# codebox's Python code context: a long-lived interpreter that runs cells, the way a
# notebook kernel does, speaking JSON lines. Started by the engine inside a session's box
# as `python3 -u -c <this> 3>&1 1>&2`: requests come on stdin, events go out on fd 3;
# what the cell's code (and anything it starts) writes to fds 1 and 2 is read back here
# through pipes of our own and sent on as stdout and stderr events, in order, before the
# cell's end.
#
# Request: {"id": N, "code": "..."}. Events: {"id", "type": "stdout"|"stderr", "text"},
# {"id", "type": "result"|"display", "data": {mime: text or base64}}, {"id", "type":
# "error", "name", "message", "traceback"}, {"id", "type": "done"}; {"type": "ready"} once.
# SIGINT during a cell raises KeyboardInterrupt in it: the cell ends with that error and
# the context lives on.
import ast
import base64
import codecs
import json
import linecache
import os
import signal
import sys
import threading
import traceback

proto = os.fdopen(3, "w", buffering=1, encoding="utf-8")
# the requests, on a descriptor of our own; a cell's input() reads end-of-file, not them
requests = os.fdopen(os.dup(0), "r", encoding="utf-8")
null = os.open(os.devnull, os.O_RDONLY)
os.dup2(null, 0)
os.close(null)
send_lock = threading.Lock()


def send(event):
    line = json.dumps(event, ensure_ascii=False)
    with send_lock:
        proto.write(line + "\n")
        proto.flush()


current = {"id": None}
MARK = b"\x00codebox-cell-end-" + os.urandom(8).hex().encode() + b"\x00"


class Forward(threading.Thread):
    """Reads one of the cell's fds (through a pipe that replaced it) and sends what comes."""

    def __init__(self, fd, stream):
        super().__init__(daemon=True)
        read, write = os.pipe()
        os.dup2(write, fd)
        os.close(write)
        self.read, self.stream = read, stream
        self.seen = threading.Event()
        # a character cut between two reads is whole again in the next event
        self.decoder = codecs.getincrementaldecoder("utf-8")("replace")

    def run(self):
        pending = b""
        while True:
            chunk = os.read(self.read, 65536)
            if not chunk:
                return
            pending += chunk
            while True:
                at = pending.find(MARK)
                if at < 0:
                    # hold back only an end that could be the start of a mark (it begins with NUL,
                    # so that is almost never): the rest goes out now, as the cell writes it
                    keep = next((k for k in range(min(len(pending), len(MARK) - 1), 0, -1) if pending.endswith(MARK[:k])), 0)
                    out, pending = pending[: len(pending) - keep], pending[len(pending) - keep:]
                    self.emit(out)
                    break
                self.emit(pending[:at])
                pending = pending[at + len(MARK):]
                self.seen.set()

    def emit(self, data):
        text = self.decoder.decode(data) if data else ""
        if text:
            send({"id": current["id"], "type": self.stream, "text": text})


forwards = [Forward(1, "stdout"), Forward(2, "stderr")]
for f in forwards:
    f.start()
sys.stdout = os.fdopen(1, "w", buffering=1, encoding="utf-8", errors="replace", closefd=False)
sys.stderr = os.fdopen(2, "w", buffering=1, encoding="utf-8", errors="replace", closefd=False)


def drain():
    """Everything the cell wrote is sent before its end: a mark through each pipe, waited for."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
    for fd, f in zip((1, 2), forwards):
        f.seen.clear()
        os.write(fd, MARK)
    for f in forwards:
        f.seen.wait(5)


def mime_bundle(value):
    data = {"text/plain": repr(value)}
    for method, mime, binary in (
        ("_repr_png_", "image/png", True),
        ("_repr_jpeg_", "image/jpeg", True),
        ("_repr_svg_", "image/svg+xml", False),
        ("_repr_html_", "text/html", False),
        ("_repr_markdown_", "text/markdown", False),
        ("_repr_json_", "application/json", False),
    ):
        fn = getattr(value, method, None)
        if not callable(fn):
            continue
        try:
            out = fn()
        except Exception:
            continue
        if out is None:
            continue
        if isinstance(out, tuple):
            out = out[0]
        if binary:
            data[mime] = base64.b64encode(out if isinstance(out, bytes) else out.encode()).decode()
        elif mime == "application/json":
            data[mime] = json.dumps(out)
        else:
            data[mime] = out if isinstance(out, str) else str(out)
    return data


def show_figures(cell_id):
    """matplotlib figures the cell left open, as PNG displays (then closed)."""
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is None:
        return
    import io

    for num in pyplot.get_fignums():
        buf = io.BytesIO()
        pyplot.figure(num).savefig(buf, format="png", bbox_inches="tight")
        send({"id": cell_id, "type": "display", "data": {"image/png": base64.b64encode(buf.getvalue()).decode(), "text/plain": "<Figure>"}})
    pyplot.close("all")


def display(*values):
    """What a cell calls to show a value now, as a notebook's display() does."""
    for v in values:
        send({"id": current["id"], "type": "display", "data": mime_bundle(v)})


namespace = {"__name__": "__main__", "__builtins__": __builtins__, "display": display}


def run_cell(cell_id, code):
    current["id"] = cell_id
    # each cell its own name, its text in linecache: a traceback shows the cell's lines, also
    # of a function an earlier cell defined
    name = "<cell-%s>" % cell_id
    linecache.cache[name] = (len(code), None, code.splitlines(True), name)
    try:
        tree = ast.parse(code, name, "exec")
        last = tree.body[-1] if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        body = ast.Module(body=tree.body[:-1] if last else tree.body, type_ignores=[])
        exec(compile(body, name, "exec"), namespace)
        value = eval(compile(ast.Expression(last.value), name, "eval"), namespace) if last else None
        drain()
        show_figures(cell_id)
        if value is not None:
            namespace["_"] = value
            send({"id": cell_id, "type": "result", "data": mime_bundle(value)})
    except BaseException as e:  # KeyboardInterrupt and SystemExit end the cell, not us
        drain()
        tb = traceback.format_exception(type(e), e, e.__traceback__)
        # this driver's own frames (it runs as -c, "<string>") are not the cell's; a library's are
        frames = [part for part in tb if not part.startswith('  File "<string>"')]
        send({"id": cell_id, "type": "error", "name": type(e).__name__, "message": str(e), "traceback": "".join(frames)})
    send({"id": cell_id, "type": "done"})
    current["id"] = None


os.environ.setdefault("MPLBACKEND", "Agg")
signal.signal(signal.SIGINT, signal.default_int_handler)
send({"type": "ready"})
while True:
    try:
        line = requests.readline()
        if not line:
            break
        request = json.loads(line)
    except KeyboardInterrupt:
        continue  # an interrupt between cells: nothing to stop
    except ValueError:
        continue
    run_cell(request.get("id"), request.get("code", ""))
