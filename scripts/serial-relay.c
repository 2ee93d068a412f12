/*
 * serial-relay: connects this terminal to an emulator's serial port through
 * a pseudo-terminal, both ways, and keeps a copy of everything the guest
 * prints.  For Bochs, whose serial port can only read input from a tty
 * (com1 mode=term): run on the user's own terminal, Bochs puts that terminal
 * in raw mode without ISIG, so Ctrl-C could no longer stop it.  Here Bochs
 * gets the pty's slave instead, and the user's terminal keeps Ctrl-C.
 *
 * Usage: serial-relay LINK LOG -- COMMAND [ARGS...]
 *   LINK  a symlink to the pty's slave device is made here (the emulator's
 *         serial device path, e.g. `com1: mode=term, dev=LINK`)
 *   LOG   the guest's output is appended to this file
 * Runs COMMAND; what arrives on stdin goes to the guest, what the guest
 * prints goes to stdout and LOG.  When stdin is a terminal it is switched to
 * non-canonical mode without local echo (the guest echoes; Ctrl-C still
 * interrupts) and restored at the end.  Stdin may also be a pipe (tests).
 * SIGTERM or SIGHUP is passed on to COMMAND.  Exits with COMMAND's status
 * (128 + signal if it was killed).
 *
 * A host tool, built by scripts/run-bochs.sh with the host compiler.
 */
#define _XOPEN_SOURCE 600
#define _DEFAULT_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static struct termios saved_tty;
static int tty_changed;
static volatile sig_atomic_t terminate;

static void on_term(int sig)
{
    (void)sig;
    terminate = 1;
}

static void restore_tty(void)
{
    if (tty_changed)
        tcsetattr(STDIN_FILENO, TCSANOW, &saved_tty);
}

static void die(const char *what)
{
    fprintf(stderr, "serial-relay: %s: %s\n", what, strerror(errno));
    restore_tty();
    exit(1);
}

static void write_all(int fd, const char *buf, ssize_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, buf, (size_t)n);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;         /* a closed stdout must not stop the guest */
        buf += w;
        n -= w;
    }
}

int main(int argc, char **argv)
{
    int master, slave, log, status = 0;
    char buf[4096];
    const char *slave_name;
    pid_t child;
    int stdin_open = 1;

    if (argc < 5 || strcmp(argv[3], "--") != 0) {
        fprintf(stderr, "usage: serial-relay LINK LOG -- COMMAND [ARGS...]\n");
        return 2;
    }
    master = posix_openpt(O_RDWR | O_NOCTTY);
    if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0)
        die("cannot open a pseudo-terminal");
    slave_name = ptsname(master);
    if (slave_name == NULL)
        die("ptsname");
    /* Hold the slave open ourselves: until the emulator opens it, reads on
     * the master would fail with EIO.  Raw, so bytes pass unchanged. */
    slave = open(slave_name, O_RDWR | O_NOCTTY);
    if (slave < 0)
        die(slave_name);
    {
        struct termios t;

        if (tcgetattr(slave, &t) == 0) {
            cfmakeraw(&t);
            tcsetattr(slave, TCSANOW, &t);
        }
    }
    unlink(argv[1]);
    if (symlink(slave_name, argv[1]) < 0)
        die(argv[1]);
    log = open(argv[2], O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (log < 0)
        die(argv[2]);

    if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved_tty) == 0) {
        struct termios t = saved_tty;

        t.c_lflag &= ~(tcflag_t)(ICANON | ECHO);    /* ISIG stays: Ctrl-C */
        t.c_cc[VMIN] = 1;
        t.c_cc[VTIME] = 0;
        if (tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0)
            tty_changed = 1;
    }

    child = fork();
    if (child < 0)
        die("fork");
    if (child == 0) {
        close(master);
        close(slave);
        close(log);
        execvp(argv[4], argv + 4);
        fprintf(stderr, "serial-relay: cannot run %s: %s\n", argv[4], strerror(errno));
        _exit(127);
    }
    /* Ctrl-C is for the emulator (same process group): the relay keeps
     * copying until it has gone. */
    signal(SIGINT, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);
    /* Asked to stop (a runner's timeout): stop the emulator, then restore
     * the terminal on the way out as always. */
    signal(SIGTERM, on_term);
    signal(SIGHUP, on_term);

    for (;;) {
        struct pollfd fds[2] = {
            { .fd = master, .events = POLLIN },
            { .fd = stdin_open ? STDIN_FILENO : -1, .events = POLLIN },
        };
        int r = poll(fds, 2, 200);
        pid_t done;

        if (r < 0 && errno != EINTR)
            die("poll");
        if (r > 0 && (fds[0].revents & POLLIN)) {
            ssize_t n = read(master, buf, sizeof(buf));

            if (n > 0) {
                write_all(STDOUT_FILENO, buf, n);
                write_all(log, buf, n);
            }
        }
        if (r > 0 && (fds[1].revents & (POLLIN | POLLHUP))) {
            ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));

            if (n > 0)
                write_all(master, buf, n);
            else if (n == 0 || errno != EINTR)
                stdin_open = 0;        /* end of input: the guest keeps running */
        }
        if (terminate == 1) {
            kill(child, SIGTERM);
            terminate = 2;
        }
        done = waitpid(child, &status, WNOHANG);
        if (done == child)
            break;
    }
    /* What the guest printed last. */
    for (;;) {
        struct pollfd fd = { .fd = master, .events = POLLIN };
        ssize_t n;

        if (poll(&fd, 1, 0) <= 0 || !(fd.revents & POLLIN))
            break;
        n = read(master, buf, sizeof(buf));
        if (n <= 0)
            break;
        write_all(STDOUT_FILENO, buf, n);
        write_all(log, buf, n);
    }
    restore_tty();
    unlink(argv[1]);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return WEXITSTATUS(status);
}
