/*
 * kestrel.cfg parser (see include/lib/config.h).
 *
 * Strict on purpose: a config the parser does not fully understand is an
 * error with a line number, because booting "something close to" what the
 * file says is worse than not booting.
 */
#include "lib/config.h"
#include "lib/fmt.h"
#include "lib/kstring.h"

#include <stdarg.h>

/* How much of a user's text an error message quotes; msg has 160 bytes. */
#define SHOWN_MAX 48

/* A piece of the (not NUL-terminated) config text. */
struct span {
    const char *p;
    size_t      len;
};

enum cfg_key {
    KEY_PAYLOAD,
    KEY_KERNEL,
    KEY_INITRD,
    KEY_MODULE,
    KEY_CMDLINE,
    KEY_LOGLEVEL,
    KEY_CPUS,
    KEY_CRASH_TEST,
    KEY_CONSOLE,
    KEY_HOSTILE_CASE,
    KEY_AP_START,
    KEY_COUNT,
};

static const char *const key_names[KEY_COUNT] = {
    [KEY_PAYLOAD] = "payload",
    [KEY_KERNEL] = "kernel",
    [KEY_INITRD] = "initrd",
    [KEY_MODULE] = "module",
    [KEY_CMDLINE] = "cmdline",
    [KEY_LOGLEVEL] = "loglevel",
    [KEY_CPUS] = "cpus",
    [KEY_CRASH_TEST] = "crash_test",
    [KEY_CONSOLE] = "console",
    [KEY_HOSTILE_CASE] = "hostile_case",
    [KEY_AP_START] = "ap_start",
};

/* "auto" names the default in messages; a line cannot ask for it. */
static const char *const ap_start_names[] = {
    [CFG_AP_START_AUTO] = "auto",
    [CFG_AP_START_MEDIATED] = "mediated",
    [CFG_AP_START_SIPI] = "sipi",
};
#define AP_START_COUNT (sizeof(ap_start_names) / sizeof(ap_start_names[0]))

static const char *const console_names[] = {
    [CFG_CONSOLE_COM1] = "com1",
    [CFG_CONSOLE_COM2] = "com2",
};
#define CONSOLE_COUNT (sizeof(console_names) / sizeof(console_names[0]))

static const char *const loglevel_names[] = {
    [CFG_LOG_ERROR] = "error",
    [CFG_LOG_WARN] = "warn",
    [CFG_LOG_INFO] = "info",
    [CFG_LOG_DEBUG] = "debug",
};
#define LOGLEVEL_COUNT (sizeof(loglevel_names) / sizeof(loglevel_names[0]))

static const char *const crash_test_names[] = {
    [CFG_CRASH_NONE] = "none",
    [CFG_CRASH_BSP] = "bsp",
    [CFG_CRASH_AP] = "ap",
    [CFG_CRASH_VMENTRY] = "vmentry",
    [CFG_CRASH_TRIPLE] = "triple",
};
#define CRASH_TEST_COUNT (sizeof(crash_test_names) / sizeof(crash_test_names[0]))

struct parser {
    struct kestrel_config *cfg;
    struct cfg_error      *err;
    int                    line;            /* current line, 1-based */
    int                    loglevel_line;   /* not kept in the config itself */
    int                    crash_test_line;
    int                    console_line;
};

/* ---- helpers ----------------------------------------------------------- */

__attribute__((format(printf, 3, 4)))
static bool fail(struct parser *ps, int line, const char *fmt, ...)
{
    va_list ap;

    ps->err->line = line;
    va_start(ap, fmt);
    kvsnprintf(ps->err->msg, sizeof(ps->err->msg), fmt, ap);
    va_end(ap);
    return false;
}

/* Precision argument for quoting a span in a message. */
static int shown(struct span s)
{
    return s.len < SHOWN_MAX ? (int)s.len : SHOWN_MAX;
}

static struct span trim(struct span s)
{
    while (s.len > 0 && kisspace(s.p[0])) {
        s.p++;
        s.len--;
    }
    while (s.len > 0 && kisspace(s.p[s.len - 1]))
        s.len--;
    return s;
}

static bool span_is(struct span s, const char *word)
{
    size_t n = kstrlen(word);

    return s.len == n && kmemcmp(s.p, word, n) == 0;
}

/* Index of s in names[0..count), or -1. */
static int lookup(struct span s, const char *const *names, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        if (span_is(s, names[i]))
            return (int)i;
    }
    return -1;
}

static bool check_not_set_yet(struct parser *ps, int first_line, const char *key)
{
    if (first_line == 0)
        return true;
    return fail(ps, ps->line, "duplicate key '%s' (first set on line %d)", key, first_line);
}

/* ---- values ------------------------------------------------------------ */

/* Copies a boot-volume path, turning '/' into the '\' UEFI file paths use. */
static bool store_path(struct parser *ps, const char *key, struct span value, char *dst)
{
    if (value.len > CFG_PATH_MAX - 1)
        return fail(ps, ps->line, "%s path too long (max %d characters)", key,
                    CFG_PATH_MAX - 1);
    if (value.p[0] != '\\' && value.p[0] != '/')
        return fail(ps, ps->line, "%s path '%.*s' must start with '\\' or '/'", key,
                    shown(value), value.p);
    for (size_t i = 0; i < value.len; i++)
        dst[i] = value.p[i] == '/' ? '\\' : value.p[i];
    dst[value.len] = '\0';
    return true;
}

static bool set_payload(struct parser *ps, struct span value)
{
    struct kestrel_config *cfg = ps->cfg;

    if (!check_not_set_yet(ps, cfg->payload_line, "payload"))
        return false;
    if (!payload_kind_find(value.p, value.len, &cfg->payload)) {
        char names[80];

        payload_kind_names(names, sizeof(names));
        return fail(ps, ps->line, "bad payload '%.*s' (expected %s)", shown(value), value.p,
                    names);
    }
    cfg->payload_line = ps->line;
    return true;
}

static bool set_loglevel(struct parser *ps, struct span value)
{
    if (!check_not_set_yet(ps, ps->loglevel_line, "loglevel"))
        return false;
    int l = lookup(value, loglevel_names, LOGLEVEL_COUNT);
    if (l < 0)
        return fail(ps, ps->line,
                    "bad loglevel '%.*s' (expected error, warn, info or debug)",
                    shown(value), value.p);
    ps->cfg->loglevel = (enum cfg_loglevel)l;
    ps->loglevel_line = ps->line;
    return true;
}

static bool set_crash_test(struct parser *ps, struct span value)
{
    if (!check_not_set_yet(ps, ps->crash_test_line, "crash_test"))
        return false;
    int c = lookup(value, crash_test_names, CRASH_TEST_COUNT);
    if (c < 0)
        return fail(ps, ps->line, "bad crash_test '%.*s' (expected none, bsp, ap, vmentry or triple)",
                    shown(value), value.p);
    ps->cfg->crash_test = (enum cfg_crash_test)c;
    ps->crash_test_line = ps->line;
    return true;
}

static bool set_ap_start(struct parser *ps, struct span value)
{
    if (!check_not_set_yet(ps, ps->cfg->ap_start_line, "ap_start"))
        return false;
    int a = lookup(value, ap_start_names, AP_START_COUNT);
    if (a <= CFG_AP_START_AUTO)
        return fail(ps, ps->line, "bad ap_start '%.*s' (expected mediated or sipi)", shown(value),
                    value.p);
    ps->cfg->ap_start = (enum cfg_ap_start)a;
    ps->cfg->ap_start_line = ps->line;
    return true;
}

static bool set_console(struct parser *ps, struct span value)
{
    if (!check_not_set_yet(ps, ps->console_line, "console"))
        return false;
    int c = lookup(value, console_names, CONSOLE_COUNT);
    if (c < 0)
        return fail(ps, ps->line, "bad console '%.*s' (expected com1 or com2)", shown(value),
                    value.p);
    ps->cfg->console = (enum cfg_console)c;
    ps->console_line = ps->line;
    return true;
}

/* hostile_case = name: the hostile guest runs that one case (a test hook
 * for the cases that end the run); the guest knows the names. */
static bool set_hostile_case(struct parser *ps, struct span value)
{
    struct kestrel_config *cfg = ps->cfg;

    if (!check_not_set_yet(ps, cfg->hostile_case_line, "hostile_case"))
        return false;
    if (value.len == 0 || value.len > CFG_CASE_MAX - 1)
        return fail(ps, ps->line, "bad hostile_case (1 to %d characters)", CFG_CASE_MAX - 1);
    for (size_t i = 0; i < value.len; i++) {
        char c = value.p[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '/'))
            return fail(ps, ps->line, "bad hostile_case '%.*s' (letters a-z, digits, '-', '/')",
                        shown(value), value.p);
    }
    __builtin_memcpy(cfg->hostile_case, value.p, value.len);
    cfg->hostile_case[value.len] = '\0';
    cfg->hostile_case_line = ps->line;
    return true;
}

static bool set_cpus(struct parser *ps, struct span value)
{
    struct kestrel_config *cfg = ps->cfg;
    char digits[24];
    unsigned long long n = 0;

    if (!check_not_set_yet(ps, cfg->cpus_line, "cpus"))
        return false;
    /* kparse_u64 wants a C string; anything longer than this is no count. */
    bool ok = value.len < sizeof(digits);
    if (ok) {
        __builtin_memcpy(digits, value.p, value.len);
        digits[value.len] = '\0';
        ok = kparse_u64(digits, &n) && n >= 1 && n <= 256;
    }
    if (!ok)
        return fail(ps, ps->line, "bad cpus '%.*s' (expected a number from 1 to 256)",
                    shown(value), value.p);
    cfg->cpus = (unsigned)n;
    cfg->cpus_line = ps->line;
    return true;
}

static bool set_kernel(struct parser *ps, struct span value)
{
    struct kestrel_config *cfg = ps->cfg;

    if (!check_not_set_yet(ps, cfg->kernel_line, "kernel") ||
        !store_path(ps, "kernel", value, cfg->kernel))
        return false;
    cfg->kernel_line = ps->line;
    return true;
}

static bool set_initrd(struct parser *ps, struct span value)
{
    struct kestrel_config *cfg = ps->cfg;

    if (!check_not_set_yet(ps, cfg->initrd_line, "initrd") ||
        !store_path(ps, "initrd", value, cfg->initrd))
        return false;
    cfg->initrd_line = ps->line;
    return true;
}

static bool set_cmdline(struct parser *ps, struct span value)
{
    struct kestrel_config *cfg = ps->cfg;

    if (!check_not_set_yet(ps, cfg->cmdline_line, "cmdline"))
        return false;
    if (value.len > CFG_CMDLINE_MAX - 1)
        return fail(ps, ps->line, "cmdline too long (max %d characters)", CFG_CMDLINE_MAX - 1);
    __builtin_memcpy(cfg->cmdline, value.p, value.len);
    cfg->cmdline[value.len] = '\0';
    cfg->cmdline_line = ps->line;
    return true;
}

/* module = \path [args]: the path ends at the first blank. */
static bool add_module(struct parser *ps, struct span value)
{
    struct kestrel_config *cfg = ps->cfg;

    if (cfg->module_count >= CFG_MODULES_MAX)
        return fail(ps, ps->line, "too many modules (max %d)", CFG_MODULES_MAX);

    struct cfg_module *mod = &cfg->modules[cfg->module_count];
    struct span path = value;

    path.len = 0;
    while (path.len < value.len && !kisspace(value.p[path.len]))
        path.len++;
    struct span args = { value.p + path.len, value.len - path.len };
    args = trim(args);

    if (!store_path(ps, "module", path, mod->path))
        return false;
    if (args.len > CFG_ARGS_MAX - 1)
        return fail(ps, ps->line, "module arguments too long (max %d characters)",
                    CFG_ARGS_MAX - 1);
    __builtin_memcpy(mod->args, args.p, args.len);
    mod->args[args.len] = '\0';
    mod->line = ps->line;
    cfg->module_count++;
    return true;
}

/* ---- lines ------------------------------------------------------------- */

static bool apply(struct parser *ps, enum cfg_key key, struct span value)
{
    switch (key) {
    case KEY_PAYLOAD:  return set_payload(ps, value);
    case KEY_KERNEL:   return set_kernel(ps, value);
    case KEY_INITRD:   return set_initrd(ps, value);
    case KEY_MODULE:   return add_module(ps, value);
    case KEY_CMDLINE:  return set_cmdline(ps, value);
    case KEY_LOGLEVEL: return set_loglevel(ps, value);
    case KEY_CPUS:     return set_cpus(ps, value);
    case KEY_CRASH_TEST: return set_crash_test(ps, value);
    case KEY_CONSOLE:  return set_console(ps, value);
    case KEY_HOSTILE_CASE: return set_hostile_case(ps, value);
    case KEY_AP_START: return set_ap_start(ps, value);
    default:           return fail(ps, ps->line, "internal error: key %d", (int)key);
    }
}

static bool parse_line(struct parser *ps, struct span line)
{
    line = trim(line);
    if (line.len == 0 || line.p[0] == '#')
        return true;

    size_t eq = 0;
    while (eq < line.len && line.p[eq] != '=')
        eq++;
    if (eq == line.len)
        return fail(ps, ps->line, "expected 'key = value' (no '=' found)");

    /* Split at the first '=' only: values may contain '=' and '#'. */
    struct span key = trim((struct span){ line.p, eq });
    struct span value = trim((struct span){ line.p + eq + 1, line.len - eq - 1 });

    if (key.len == 0)
        return fail(ps, ps->line, "missing key before '='");
    int k = lookup(key, key_names, KEY_COUNT);
    if (k < 0)
        return fail(ps, ps->line, "unknown key '%.*s'", shown(key), key.p);
    if (value.len == 0)
        return fail(ps, ps->line, "empty value for '%s'", key_names[k]);
    return apply(ps, (enum cfg_key)k, value);
}

/* The file lines a payload may take, in the order they are checked. */
static const struct file_input {
    enum payload_input input;
    const char        *key;
} file_inputs[] = {
    { PAYLOAD_INPUT_KERNEL,  "kernel" },
    { PAYLOAD_INPUT_INITRD,  "initrd" },
    { PAYLOAD_INPUT_MODULES, "module" },
};
#define FILE_INPUT_COUNT (sizeof(file_inputs) / sizeof(file_inputs[0]))

/* The line of a file input, or 0 when the config gives none. */
static int input_line(const struct kestrel_config *cfg, enum payload_input input)
{
    switch (input) {
    case PAYLOAD_INPUT_KERNEL:  return cfg->kernel[0] != '\0' ? cfg->kernel_line : 0;
    case PAYLOAD_INPUT_INITRD:  return cfg->initrd[0] != '\0' ? cfg->initrd_line : 0;
    case PAYLOAD_INPUT_MODULES: return cfg->module_count > 0 ? cfg->modules[0].line : 0;
    case PAYLOAD_INPUT_CMDLINE: return cfg->cmdline_line;
    }
    return 0;
}

/* Combination rules, checked once every line has been seen so the order of
 * lines in the file does not matter: what the payload needs first, then
 * what it does not take. */
static bool check_combination(struct parser *ps)
{
    const struct kestrel_config *cfg = ps->cfg;
    const struct payload_kind *kind = payload_kind(cfg->payload);
    const char *payload = kind->name;

    if (cfg->hostile_case[0] != '\0' && cfg->payload != CFG_PAYLOAD_HOSTILE)
        return fail(ps, cfg->hostile_case_line, "hostile_case needs payload 'hostile', not '%s'",
                    payload);
    for (size_t i = 0; i < FILE_INPUT_COUNT; i++) {
        const struct file_input *f = &file_inputs[i];
        if ((kind->needs & f->input) && input_line(cfg, f->input) == 0)
            return fail(ps, cfg->payload_line, "payload '%s' needs a '%s = \\path' line",
                        payload, f->key);
    }
    for (size_t i = 0; i < FILE_INPUT_COUNT; i++) {
        const struct file_input *f = &file_inputs[i];
        int line = input_line(cfg, f->input);
        if (line == 0 || (kind->takes & f->input))
            continue;
        if (kind->builtin)
            return fail(ps, line, "%s is not used by the built-in payload '%s'", f->key,
                        payload);
        const struct payload_kind *taker = payload_kind_taking(f->input);
        return fail(ps, line, "%s needs payload '%s', not '%s'", f->key,
                    taker ? taker->name : "?", payload);
    }
    return true;
}

/* Length of the UTF-8 byte-order mark some editors put at the start. */
static size_t bom_length(const char *text, size_t len)
{
    if (len >= 3 && (unsigned char)text[0] == 0xef && (unsigned char)text[1] == 0xbb &&
        (unsigned char)text[2] == 0xbf)
        return 3;
    return 0;
}

/* Returns the line starting at *pos (without its LF or CRLF) and moves *pos
 * past it; *has_nul tells whether the line contains a NUL byte. */
static struct span next_line(const char *text, size_t len, size_t *pos, bool *has_nul)
{
    size_t start = *pos;
    size_t end = start;

    *has_nul = false;
    while (end < len && text[end] != '\n') {
        if (text[end] == '\0')
            *has_nul = true;
        end++;
    }
    *pos = end < len ? end + 1 : len;

    struct span line = { text + start, end - start };
    if (line.len > 0 && line.p[line.len - 1] == '\r')
        line.len--;
    return line;
}

/* ---- public ------------------------------------------------------------ */

void config_defaults(struct kestrel_config *cfg)
{
    __builtin_memset(cfg, 0, sizeof(*cfg));
    cfg->payload = CFG_PAYLOAD_SELFTEST;
    cfg->loglevel = CFG_LOG_INFO;
    cfg->cpus = 0;
}

bool config_parse(const char *text, size_t len, struct kestrel_config *cfg,
                  struct cfg_error *err)
{
    struct cfg_error scratch;
    struct parser ps = { .cfg = cfg, .err = err != NULL ? err : &scratch };

    ps.err->line = 0;
    ps.err->msg[0] = '\0';
    config_defaults(cfg);
    if (text == NULL && len > 0)
        return fail(&ps, 0, "no config text");

    size_t pos = bom_length(text, len);

    while (pos < len) {
        bool has_nul;
        struct span line = next_line(text, len, &pos, &has_nul);

        ps.line++;
        if (has_nul)
            return fail(&ps, ps.line, "NUL byte in line (not a text file?)");
        if (line.len > CFG_LINE_MAX)
            return fail(&ps, ps.line, "line too long (max %d characters)", CFG_LINE_MAX);
        if (!parse_line(&ps, line))
            return false;
    }
    return check_combination(&ps);
}

const char *config_payload_name(enum cfg_payload p)
{
    const struct payload_kind *kind = payload_kind(p);

    return kind ? kind->name : "unknown";
}

const char *config_console_name(enum cfg_console c)
{
    if ((unsigned)c < CONSOLE_COUNT)
        return console_names[c];
    return "unknown";
}

const char *config_ap_start_name(enum cfg_ap_start a)
{
    if ((unsigned)a < AP_START_COUNT)
        return ap_start_names[a];
    return "unknown";
}

const char *config_loglevel_name(enum cfg_loglevel l)
{
    if ((unsigned)l < LOGLEVEL_COUNT)
        return loglevel_names[l];
    return "unknown";
}
