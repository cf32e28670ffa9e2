/*
 * codebox's testlib.h: a header written for codebox, compatible with the API that
 * testlib checkers, interactors and validators use (read from testlib's documentation;
 * no code of testlib's own is here). A checker or interactor compiled by codebox's judge
 * finds this file beside its sources unless it brings its own testlib.h.
 *
 * Covered:
 *   registerTestlibCmd(argc, argv)      checker: input output answer [result-file]
 *   registerInteraction(argc, argv)     interactor: input output [answer [result-file]];
 *                                       ouf is stdin (the solution's output), tout the
 *                                       output file, stdout goes to the solution
 *   registerValidation([argc, argv])    validator: inf is stdin, strict
 *   inf, ouf, ans (InStream), tout (std::ofstream)
 *   readers: readChar([c]), readSpace, readEoln, readEof, eof, eoln, seekEof, seekEoln,
 *     skipBlanks, nextLine, curChar, skipChar, readToken/readWord([pattern[, name]]),
 *     readLine/readString([pattern[, name]]), readInt/readInteger, readLong,
 *     readUnsignedLong (each with [min, max[, name]]), readReal/readDouble([min, max[,
 *     name]]), readStrictReal/readStrictDouble(min, max, minDigits, maxDigits[, name]),
 *     readInts/readLongs/readReals/readTokens/readWords/readLines(n, ...), and
 *     quit/quitf/ensuref on a stream
 *   outcomes: _ok, _wa, _pe, _fail, _dirt, _points, _unexpected_eof; quit, quitf, quitif,
 *     quitp (points), ensure, ensuref
 *   helpers: format, vtos, toString, englishEnding, upperCase, lowerCase, compress,
 *     compareDoubles, doubleCompare, doubleDelta, setName
 *
 * Not covered: generators (registerGen, rnd, opt), _pc(n) partial outcomes, XML result
 * files (-appes: the result file gets the plain text), testlib's own pattern dialect
 * (patterns here are ECMAScript regular expressions matched against the whole token).
 *
 * Strictness, as testlib's: the streams a checker or interactor reads are lenient (spaces
 * and line breaks between tokens do not count; readSpace and readEoln skip blanks and
 * never fail); a validator's inf is strict (readInt takes exactly an integer here, no
 * leading zeros or "-0"; readSpace wants one ' ', readEoln one '\n', readEof the end).
 *
 * Outcomes and exit codes: ok 0, wrong answer 1, presentation error 2 (also _dirt), FAIL
 * 3 (the judge's or the problem's fault, never the contestant's), points 7 (quitp: the
 * message starts with the points), unexpected eof 8. The message goes to stderr as
 * "ok ...", "wrong answer ...", "wrong output format ...", "FAIL ...", "points P ...".
 * A stream's own failure is judged by whose stream it is: in the contestant's output
 * (ouf) a malformed token is a presentation error and a number out of its range a wrong
 * answer; in the input or the answer (inf, ans) anything is FAIL. A checker that
 * accepts while the output still has tokens left gets a presentation error ("extra
 * information in the output file").
 */
#ifndef CODEBOX_TESTLIB_H
#define CODEBOX_TESTLIB_H

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <iostream>
#include <limits>
#include <regex>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

enum TResult {
    _ok = 0,
    _wa = 1,
    _pe = 2,
    _fail = 3,
    _dirt = 4,
    _points = 5,
    _unexpected_eof = 8,
};

enum TMode { _input, _output, _answer };

namespace codebox_testlib {

enum Role { NONE, CHECKER, INTERACTOR, VALIDATOR };
inline Role &role() {
    static Role r = NONE;
    return r;
}
inline std::string &resultFile() {
    static std::string f;
    return f;
}

inline std::string vformat(const char *fmt, va_list ap) {
    va_list again;
    va_copy(again, ap);
    int n = std::vsnprintf(nullptr, 0, fmt, again);
    va_end(again);
    if (n < 0) return fmt;
    std::string out(static_cast<size_t>(n) + 1, '\0');
    std::vsnprintf(&out[0], out.size(), fmt, ap);
    out.resize(static_cast<size_t>(n));
    return out;
}

inline int exitCode(TResult r) {
    switch (r) {
    case _ok: return 0;
    case _wa: return 1;
    case _pe:
    case _dirt: return 2;
    case _fail: return 3;
    case _points: return 7;
    case _unexpected_eof: return 8;
    }
    return 3;
}

inline const char *prefix(TResult r) {
    switch (r) {
    case _ok: return "ok";
    case _wa: return "wrong answer";
    case _pe:
    case _dirt: return "wrong output format";
    case _fail: return "FAIL";
    case _points: return "points";
    case _unexpected_eof: return "unexpected eof";
    }
    return "FAIL";
}

/* a line for people: no control characters, no more than 1024 bytes */
inline std::string printable(const std::string &s) {
    std::string out;
    for (char c : s) out += (static_cast<unsigned char>(c) < 32 && c != '\t') ? ' ' : c;
    if (out.size() > 1024) out = out.substr(0, 1021) + "...";
    return out;
}

/* the buffered bytes of one stream: a file, or a pipe read as data comes (an interactor's
 * stdin must never wait for more than is there) */
class Reader {
  public:
    bool open(const char *path) {
        fd_ = ::open(path, O_RDONLY | O_CLOEXEC);
        return fd_ >= 0;
    }
    void useFd(int fd) { fd_ = fd; }
    bool opened() const { return fd_ >= 0; }
    int peek() {
        if (pos_ == len_ && !fill()) return EOF;
        return static_cast<unsigned char>(buf_[pos_]);
    }
    int get() {
        int c = peek();
        if (c != EOF) pos_++;
        return c;
    }

  private:
    bool fill() {
        if (eof_ || fd_ < 0) return false;
        for (;;) {
            ssize_t n = ::read(fd_, buf_, sizeof buf_);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                eof_ = true;
                return false;
            }
            pos_ = 0;
            len_ = static_cast<size_t>(n);
            return true;
        }
    }
    int fd_ = -1;
    char buf_[1 << 16];
    size_t pos_ = 0, len_ = 0;
    bool eof_ = false;
};

inline bool isBlank(int c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

} // namespace codebox_testlib

[[noreturn]] inline void quit(TResult result, const std::string &message);
[[noreturn]] inline void quit(TResult result, const char *message);

class InStream {
  public:
    TMode mode = _input;
    bool strict = false;
    std::string name;

    void init(const char *path, TMode m) {
        mode = m;
        name = path;
        if (!reader_.open(path)) quit(m == _output ? _pe : _fail, std::string("cannot open ") + path);
    }
    void initStdin(TMode m, bool isStrict) {
        mode = m;
        strict = isStrict;
        name = "stdin";
        reader_.useFd(0);
    }

    /* a failure in this stream: judged by whose it is (see the header's comment) */
    [[noreturn]] void quit(TResult r, const char *message) {
        std::string what = message;
        if (mode != _output && r != _fail) {
            what += mode == _input ? " (in the input)" : " (in the answer)";
            r = _fail;
        }
        ::quit(r, what);
    }
    [[noreturn]] void quit(TResult r, const std::string &message) { quit(r, message.c_str()); }
    [[noreturn]] void quitf(TResult r, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        std::string m = codebox_testlib::vformat(fmt, ap);
        va_end(ap);
        quit(r, m);
    }
    void ensuref(bool cond, const char *fmt, ...) {
        if (cond) return;
        va_list ap;
        va_start(ap, fmt);
        std::string m = codebox_testlib::vformat(fmt, ap);
        va_end(ap);
        quit(mode == _output ? _wa : _fail, m);
    }

    // ---- characters, blanks and ends ----
    char curChar() { return static_cast<char>(reader_.peek()); }
    void skipChar() { reader_.get(); }
    bool eof() { return reader_.peek() == EOF; }
    bool eoln() {
        int c = reader_.peek();
        return c == '\n' || c == '\r' || c == EOF;
    }
    void skipBlanks() {
        while (codebox_testlib::isBlank(reader_.peek())) reader_.get();
    }
    bool seekEof() {
        skipBlanks();
        return eof();
    }
    bool seekEoln() {
        for (int c = reader_.peek(); c == ' ' || c == '\t'; c = reader_.peek()) reader_.get();
        return eoln();
    }
    void nextLine() {
        for (int c = reader_.get(); c != EOF && c != '\n'; c = reader_.get()) {
        }
    }
    char readChar() {
        int c = reader_.get();
        if (c == EOF) endOfFile("a character");
        return static_cast<char>(c);
    }
    char readChar(char want) {
        int c = reader_.get();
        if (c == EOF) endOfFile(shown(want).c_str());
        if (c != static_cast<unsigned char>(want))
            quit(_pe, "expected " + shown(want) + ", found " + shown(static_cast<char>(c)));
        return want;
    }
    char readSpace() {
        if (strict) return readChar(' ');
        for (int c = reader_.peek(); c == ' ' || c == '\t'; c = reader_.peek()) reader_.get();
        return ' ';
    }
    void readEoln() {
        if (strict) {
            readChar('\n');
            return;
        }
        for (int c = reader_.peek(); c == ' ' || c == '\t' || c == '\r'; c = reader_.peek()) reader_.get();
        if (reader_.peek() == '\n') reader_.get();
    }
    void readEof() {
        if (!strict) skipBlanks();
        if (!eof()) quit(_pe, "expected the end of the file, found " + shown(curChar()));
    }

    // ---- tokens and lines ----
    std::string readToken() {
        if (!strict) skipBlanks();
        std::string t;
        for (int c = reader_.peek(); c != EOF && !codebox_testlib::isBlank(c); c = reader_.peek()) t += static_cast<char>(reader_.get());
        if (t.empty()) {
            if (eof()) endOfFile("a token");
            quit(_pe, "expected a token, found " + shown(curChar()));
        }
        return t;
    }
    std::string readWord() { return readToken(); }
    std::string readToken(const std::string &pattern, const std::string &variable = "") {
        std::string t = readToken();
        matches(t, pattern, variable);
        return t;
    }
    std::string readWord(const std::string &pattern, const std::string &variable = "") {
        return readToken(pattern, variable);
    }
    std::string readLine() {
        if (eof()) endOfFile("a line");
        std::string line;
        for (int c = reader_.get(); c != EOF && c != '\n'; c = reader_.get()) line += static_cast<char>(c);
        if (!strict && !line.empty() && line.back() == '\r') line.pop_back();
        return line;
    }
    std::string readString() { return readLine(); }
    std::string readLine(const std::string &pattern, const std::string &variable = "") {
        std::string l = readLine();
        matches(l, pattern, variable);
        return l;
    }
    std::string readString(const std::string &pattern, const std::string &variable = "") {
        return readLine(pattern, variable);
    }

    // ---- numbers ----
    long long readLong() { return toLong(readToken(), "int64", LLONG_MIN, LLONG_MAX); }
    long long readLong(long long lo, long long hi, const std::string &variable = "") {
        return inRange(readLong(), lo, hi, variable, "integer");
    }
    unsigned long long readUnsignedLong() {
        std::string t = readToken();
        if (!integerFormat(t) || t[0] == '-') quit(_pe, "expected uint64, found " + shown(t));
        errno = 0;
        unsigned long long v = std::strtoull(t.c_str(), nullptr, 10);
        if (errno == ERANGE) quit(_pe, "expected uint64, found " + shown(t));
        return v;
    }
    unsigned long long readUnsignedLong(unsigned long long lo, unsigned long long hi,
                                        const std::string &variable = "") {
        unsigned long long v = readUnsignedLong();
        if (v < lo || v > hi) outOfRange(std::to_string(v), std::to_string(lo), std::to_string(hi), variable, "integer");
        return v;
    }
    int readInt() { return static_cast<int>(toLong(readToken(), "int32", INT_MIN, INT_MAX)); }
    int readInt(int lo, int hi, const std::string &variable = "") {
        return static_cast<int>(inRange(readInt(), lo, hi, variable, "integer"));
    }
    int readInteger() { return readInt(); }
    int readInteger(int lo, int hi, const std::string &variable = "") { return readInt(lo, hi, variable); }
    double readReal() {
        std::string t = readToken();
        if (!realFormat(t)) quit(_pe, "expected a real number, found " + shown(t));
        return std::strtod(t.c_str(), nullptr);
    }
    double readDouble() { return readReal(); }
    double readReal(double lo, double hi, const std::string &variable = "") {
        double v = readReal();
        if (!(v >= lo && v <= hi)) outOfRange(realText(v), realText(lo), realText(hi), variable, "real");
        return v;
    }
    double readDouble(double lo, double hi, const std::string &variable = "") { return readReal(lo, hi, variable); }
    double readStrictReal(double lo, double hi, int minDigits, int maxDigits, const std::string &variable = "") {
        std::string t = readToken();
        if (!strictRealFormat(t, minDigits, maxDigits))
            quit(_pe, "expected a real number with " + std::to_string(minDigits) + " to " + std::to_string(maxDigits) +
                          " digits after the point, found " + shown(t));
        double v = std::strtod(t.c_str(), nullptr);
        if (!(v >= lo && v <= hi)) outOfRange(t, realText(lo), realText(hi), variable, "real");
        return v;
    }
    double readStrictDouble(double lo, double hi, int minDigits, int maxDigits, const std::string &variable = "") {
        return readStrictReal(lo, hi, minDigits, maxDigits, variable);
    }

    // ---- several at once, separated by blanks (one space in strict mode) ----
    std::vector<int> readInts(int n, int lo, int hi, const std::string &variable = "", int indexBase = 1) {
        std::vector<int> v;
        for (int i = 0; i < n; i++) {
            if (i > 0) readSpace();
            v.push_back(readInt(lo, hi, indexed(variable, i, indexBase)));
        }
        return v;
    }
    std::vector<int> readInts(int n) {
        std::vector<int> v;
        for (int i = 0; i < n; i++) {
            if (i > 0) readSpace();
            v.push_back(readInt());
        }
        return v;
    }
    std::vector<long long> readLongs(int n, long long lo, long long hi, const std::string &variable = "",
                                     int indexBase = 1) {
        std::vector<long long> v;
        for (int i = 0; i < n; i++) {
            if (i > 0) readSpace();
            v.push_back(readLong(lo, hi, indexed(variable, i, indexBase)));
        }
        return v;
    }
    std::vector<long long> readLongs(int n) {
        std::vector<long long> v;
        for (int i = 0; i < n; i++) {
            if (i > 0) readSpace();
            v.push_back(readLong());
        }
        return v;
    }
    std::vector<double> readReals(int n, double lo, double hi, const std::string &variable = "", int indexBase = 1) {
        std::vector<double> v;
        for (int i = 0; i < n; i++) {
            if (i > 0) readSpace();
            v.push_back(readReal(lo, hi, indexed(variable, i, indexBase)));
        }
        return v;
    }
    std::vector<std::string> readTokens(int n, const std::string &pattern = "", const std::string &variable = "",
                                        int indexBase = 1) {
        std::vector<std::string> v;
        for (int i = 0; i < n; i++) {
            if (i > 0) readSpace();
            v.push_back(pattern.empty() ? readToken() : readToken(pattern, indexed(variable, i, indexBase)));
        }
        return v;
    }
    std::vector<std::string> readWords(int n, const std::string &pattern = "", const std::string &variable = "",
                                       int indexBase = 1) {
        return readTokens(n, pattern, variable, indexBase);
    }
    std::vector<std::string> readLines(int n, const std::string &pattern = "", const std::string &variable = "",
                                       int indexBase = 1) {
        std::vector<std::string> v;
        for (int i = 0; i < n; i++)
            v.push_back(pattern.empty() ? readLine() : readLine(pattern, indexed(variable, i, indexBase)));
        return v;
    }

  private:
    codebox_testlib::Reader reader_;

    [[noreturn]] void endOfFile(const char *wanted) {
        quit(codebox_testlib::role() == codebox_testlib::INTERACTOR && mode == _output ? _unexpected_eof : _pe,
             std::string("unexpected end of file: expected ") + wanted);
    }
    static std::string shown(char c) {
        if (c == '\n') return "'\\n'";
        if (c == '\r') return "'\\r'";
        if (c == '\t') return "'\\t'";
        if (static_cast<unsigned char>(c) < 32) return "byte " + std::to_string(static_cast<unsigned char>(c));
        return std::string("'") + c + "'";
    }
    static std::string shown(const std::string &t) {
        std::string s = t.size() > 64 ? t.substr(0, 61) + "..." : t;
        return "\"" + codebox_testlib::printable(s) + "\"";
    }
    static std::string indexed(const std::string &variable, int i, int base) {
        return variable.empty() ? variable : variable + "[" + std::to_string(i + base) + "]";
    }
    void matches(const std::string &t, const std::string &pattern, const std::string &variable) {
        bool ok;
        try {
            ok = std::regex_match(t, std::regex(pattern, std::regex::ECMAScript));
        } catch (const std::regex_error &) {
            quit(_fail, "the pattern " + shown(pattern) + " is not a valid regular expression");
        }
        if (!ok)
            quit(_wa, (variable.empty() ? std::string("token ") : variable + " = ") + shown(t) +
                          " does not match the pattern " + shown(pattern));
    }
    /* an integer as written: -?digits; strict: no leading zeros, no "-0" */
    bool integerFormat(const std::string &t) const {
        size_t i = t[0] == '-' ? 1 : 0;
        if (i == t.size()) return false;
        for (size_t j = i; j < t.size(); j++)
            if (!std::isdigit(static_cast<unsigned char>(t[j]))) return false;
        if (strict && t.size() - i > 1 && t[i] == '0') return false;
        if (strict && t == "-0") return false;
        return true;
    }
    long long toLong(const std::string &t, const char *type, long long lo, long long hi) {
        if (!integerFormat(t)) quit(_pe, std::string("expected ") + type + ", found " + shown(t));
        errno = 0;
        long long v = std::strtoll(t.c_str(), nullptr, 10);
        if (errno == ERANGE || v < lo || v > hi) quit(_pe, std::string("expected ") + type + ", found " + shown(t));
        return v;
    }
    long long inRange(long long v, long long lo, long long hi, const std::string &variable, const char *what) {
        if (v < lo || v > hi) outOfRange(std::to_string(v), std::to_string(lo), std::to_string(hi), variable, what);
        return v;
    }
    [[noreturn]] void outOfRange(const std::string &v, const std::string &lo, const std::string &hi,
                                 const std::string &variable, const char *what) {
        std::string who = variable.empty() ? std::string(what) + " " + v : variable + " = " + v;
        quit(strict ? _fail : _wa, who + " is out of [" + lo + ", " + hi + "]");
    }
    /* -?(digits[.digits*]|.digits)([eE][+-]?digits)?: no nan, inf or hex */
    static bool realFormat(const std::string &t) {
        size_t i = 0, n = t.size();
        if (i < n && t[i] == '-') i++;
        size_t whole = 0, frac = 0;
        while (i < n && std::isdigit(static_cast<unsigned char>(t[i]))) i++, whole++;
        if (i < n && t[i] == '.') {
            i++;
            while (i < n && std::isdigit(static_cast<unsigned char>(t[i]))) i++, frac++;
        }
        if (whole + frac == 0) return false;
        if (i < n && (t[i] == 'e' || t[i] == 'E')) {
            i++;
            if (i < n && (t[i] == '+' || t[i] == '-')) i++;
            size_t exp = 0;
            while (i < n && std::isdigit(static_cast<unsigned char>(t[i]))) i++, exp++;
            if (exp == 0) return false;
        }
        return i == n;
    }
    /* -?digits(.digits)? with minDigits..maxDigits after the point, no leading zeros */
    static bool strictRealFormat(const std::string &t, int minDigits, int maxDigits) {
        size_t i = t.size() > 0 && t[0] == '-' ? 1 : 0;
        size_t start = i;
        while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) i++;
        if (i == start || (i - start > 1 && t[start] == '0')) return false;
        int digits = 0;
        if (i < t.size()) {
            if (t[i] != '.') return false;
            i++;
            while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) i++, digits++;
            if (digits == 0 || i != t.size()) return false;
        }
        return digits >= minDigits && digits <= maxDigits;
    }
    static std::string realText(double v) {
        char b[64];
        std::snprintf(b, sizeof b, "%.10g", v);
        return b;
    }
};

inline InStream inf, ouf, ans;
inline std::ofstream tout;

inline std::string format(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    std::string s = codebox_testlib::vformat(fmt, ap);
    va_end(ap);
    return s;
}

[[noreturn]] inline void quit(TResult result, const std::string &message) {
    using namespace codebox_testlib;
    // an accepted output with tokens left over was not what was asked
    if (result == _ok && role() == CHECKER && !ouf.seekEof()) {
        result = _dirt;
        std::string m = "extra information in the output file";
        quit(result, message.empty() ? m : m + " (" + message + ")");
    }
    std::string line = std::string(prefix(result)) + (message.empty() ? "" : " " + printable(message));
    std::fprintf(stderr, "%s\n", line.c_str());
    std::fflush(stderr);
    if (!resultFile().empty()) {
        std::FILE *f = std::fopen(resultFile().c_str(), "w");
        if (f) {
            std::fprintf(f, "%s\n", line.c_str());
            std::fclose(f);
        }
    }
    if (role() == INTERACTOR) {
        std::fflush(stdout);
        tout.close();
    }
    std::exit(exitCode(result));
}
[[noreturn]] inline void quit(TResult result, const char *message) { quit(result, std::string(message)); }

[[noreturn]] inline void quitf(TResult result, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    std::string m = codebox_testlib::vformat(fmt, ap);
    va_end(ap);
    quit(result, m);
}

inline void quitif(bool condition, TResult result, const char *fmt, ...) {
    if (!condition) return;
    va_list ap;
    va_start(ap, fmt);
    std::string m = codebox_testlib::vformat(fmt, ap);
    va_end(ap);
    quit(result, m);
}

/* the points first, shortest form (0.5, 3, 12.25), then the message */
inline std::string pointsText(double points) {
    char b[64];
    std::snprintf(b, sizeof b, "%.10f", points);
    std::string s = b;
    s.erase(s.find_last_not_of('0') + 1);
    if (!s.empty() && s.back() == '.') s.pop_back();
    return s == "-0" ? "0" : s;
}

[[noreturn]] inline void quitp(double points, const std::string &message = "") {
    if (!std::isfinite(points)) quit(_fail, "quitp: the points are not a finite number");
    quit(_points, pointsText(points) + (message.empty() ? "" : " " + message));
}
[[noreturn]] inline void quitp(double points, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    std::string m = codebox_testlib::vformat(fmt, ap);
    va_end(ap);
    quitp(points, m);
}
[[noreturn]] inline void quitp(int points, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    std::string m = codebox_testlib::vformat(fmt, ap);
    va_end(ap);
    quitp(static_cast<double>(points), m);
}

inline void ensuref(bool cond, const char *fmt, ...) {
    if (cond) return;
    va_list ap;
    va_start(ap, fmt);
    std::string m = codebox_testlib::vformat(fmt, ap);
    va_end(ap);
    quit(_fail, m);
}
inline void codeboxEnsure(bool cond, const char *text) {
    if (!cond) quit(_fail, std::string("condition failed: ") + text);
}
#define ensure(cond) codeboxEnsure((cond), #cond)

inline void setName(const char *, ...) {}

namespace codebox_testlib {
[[noreturn]] inline void usage(const char *program, const char *args) {
    std::fprintf(stderr, "FAIL usage: %s %s\n", program, args);
    std::exit(3);
}
} // namespace codebox_testlib

inline void registerTestlibCmd(int argc, char *argv[]) {
    codebox_testlib::role() = codebox_testlib::CHECKER;
    if (argc < 4) codebox_testlib::usage(argc > 0 ? argv[0] : "checker", "<input> <output> <answer> [<result-file>]");
    if (argc > 4) codebox_testlib::resultFile() = argv[4];
    inf.init(argv[1], _input);
    ans.init(argv[3], _answer);
    ouf.init(argv[2], _output);
}

inline void registerInteraction(int argc, char *argv[]) {
    codebox_testlib::role() = codebox_testlib::INTERACTOR;
    if (argc < 3) codebox_testlib::usage(argc > 0 ? argv[0] : "interactor", "<input> <output> [<answer> [<result-file>]]");
    if (argc > 4) codebox_testlib::resultFile() = argv[4];
    inf.init(argv[1], _input);
    if (argc > 3) ans.init(argv[3], _answer);
    tout.open(argv[2]);
    if (!tout) quit(_fail, std::string("cannot open ") + argv[2] + " for writing");
    ouf.initStdin(_output, false);
}

inline void registerValidation() {
    codebox_testlib::role() = codebox_testlib::VALIDATOR;
    inf.initStdin(_input, true);
}
inline void registerValidation(int, char *[]) { registerValidation(); }

// ---- helpers ----
template <typename T> std::string vtos(const T &v) {
    std::ostringstream s;
    s << v;
    return s.str();
}
template <typename T> std::string toString(const T &v) { return vtos(v); }

inline std::string englishEnding(int x) {
    int tens = (x / 10) % 10, last = x % 10;
    if (tens == 1) return "th";
    if (last == 1) return "st";
    if (last == 2) return "nd";
    if (last == 3) return "rd";
    return "th";
}

inline std::string upperCase(std::string s) {
    for (char &c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}
inline std::string lowerCase(std::string s) {
    for (char &c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

/* a long text cut in the middle, for messages */
inline std::string compress(const std::string &s) {
    return s.size() <= 64 ? s : s.substr(0, 30) + "..." + s.substr(s.size() - 31);
}

/* |result - expected| within maxError, absolute or relative to expected */
inline double doubleDelta(double expected, double result) {
    double absolute = std::fabs(result - expected);
    if (std::fabs(expected) > 1e-9) return std::min(absolute, absolute / std::fabs(expected));
    return absolute;
}
inline bool doubleCompare(double expected, double result, double maxError) {
    if (std::isnan(expected) || std::isnan(result)) return std::isnan(expected) && std::isnan(result);
    if (std::isinf(expected) || std::isinf(result)) return expected == result;
    return doubleDelta(expected, result) <= maxError + 1e-15;
}
inline bool compareDoubles(double expected, double result, double maxError) {
    return doubleCompare(expected, result, maxError);
}

#endif
