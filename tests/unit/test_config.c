/* Unit tests for lib/config.c. */
#include "test.h"

#include "lib/config.h"

#include <stdlib.h>

/*
 * Parses text from a heap copy of exactly strlen(text) bytes with no
 * terminator, so ASan reports any read past the length the parser was given.
 */
static bool parse_len(const char *text, size_t len, struct kestrel_config *cfg,
                      struct cfg_error *err)
{
    char *copy = malloc(len > 0 ? len : 1);
    bool ok;

    memcpy(copy, text, len);
    memset(err, 0, sizeof(*err));
    ok = config_parse(copy, len, cfg, err);
    free(copy);
    return ok;
}

static bool parse(const char *text, struct kestrel_config *cfg, struct cfg_error *err)
{
    return parse_len(text, strlen(text), cfg, err);
}

/* Parsing must fail on the given line with a message containing part. */
static void expect_error(struct unit_ctx *unit_ctx_, const char *text, int line, const char *part)
{
    struct kestrel_config cfg;
    struct cfg_error err;

    if (parse(text, &cfg, &err)) {
        unit_fail(unit_ctx_, __FILE__, __LINE__, "accepted: \"%s\"", text);
        return;
    }
    if (err.line != line || strstr(err.msg, part) == NULL)
        unit_fail(unit_ctx_, __FILE__, __LINE__,
                  "for \"%.60s\": got line %d \"%s\", want line %d containing \"%s\"",
                  text, err.line, err.msg, line, part);
}

#define CHECK_CFG_ERROR(text, line, part)                                       \
    do {                                                                        \
        expect_error(unit_ctx_, text, line, part);                              \
        CHECK_PASSING();                                                        \
    } while (0)

#define CHECK_CFG_OK(text, cfgp)                                                \
    do {                                                                        \
        struct cfg_error ok_err_;                                               \
        bool ok_ = parse(text, cfgp, &ok_err_);                                 \
        if (!ok_) {                                                             \
            unit_fail(unit_ctx_, __FILE__, __LINE__, "rejected (line %d: %s)",  \
                      ok_err_.line, ok_err_.msg);                               \
            return;                                                             \
        }                                                                       \
    } while (0)

/* prefix, then n copies of c, then suffix (static storage, one at a time). */
static const char *with_run(const char *prefix, char c, size_t n, const char *suffix)
{
    static char buf[4096];
    size_t p = strlen(prefix), s = strlen(suffix);

    if (p + n + s >= sizeof(buf))
        abort();
    memcpy(buf, prefix, p);
    memset(buf + p, c, n);
    memcpy(buf + p + n, suffix, s + 1);
    return buf;
}

TEST(config_defaults)
{
    struct kestrel_config cfg;

    memset(&cfg, 0xa5, sizeof(cfg));
    config_defaults(&cfg);
    CHECK_EQ_U64(cfg.payload, CFG_PAYLOAD_SELFTEST);
    CHECK_EQ_U64(cfg.loglevel, CFG_LOG_INFO);
    CHECK_EQ_U64(cfg.cpus, 0);
    CHECK_STR(cfg.kernel, "");
    CHECK_STR(cfg.initrd, "");
    CHECK_STR(cfg.cmdline, "");
    CHECK_EQ_U64(cfg.module_count, 0);
    CHECK_EQ_U64(cfg.payload_line, 0);
    CHECK_EQ_U64(cfg.kernel_line, 0);
    CHECK_EQ_U64(cfg.initrd_line, 0);
    CHECK_EQ_U64(cfg.cmdline_line, 0);
    CHECK_EQ_U64(cfg.cpus_line, 0);
}

TEST(config_empty_text_gives_defaults)
{
    struct kestrel_config cfg;
    struct cfg_error err;

    memset(&cfg, 0xa5, sizeof(cfg));
    CHECK(config_parse(NULL, 0, &cfg, &err));
    CHECK_EQ_U64(cfg.payload, CFG_PAYLOAD_SELFTEST);
    CHECK_EQ_U64(cfg.loglevel, CFG_LOG_INFO);
    CHECK_STR(cfg.kernel, "");
    CHECK_CFG_OK("", &cfg);
    CHECK_EQ_U64(cfg.module_count, 0);
}

TEST(config_comments_and_blank_lines)
{
    struct kestrel_config cfg;

    CHECK_CFG_OK("# a comment\n\n   \n\t# indented comment = with equals\n#\n", &cfg);
    CHECK_EQ_U64(cfg.payload, CFG_PAYLOAD_SELFTEST);
    CHECK_CFG_OK("\n\n# only comments\n\n\nloglevel = warn\n\n", &cfg);
    CHECK_EQ_U64(cfg.loglevel, CFG_LOG_WARN);
}

TEST(config_full_linux)
{
    struct kestrel_config cfg;

    CHECK_CFG_OK("# Kestrel\n"
                 "payload = linux\n"
                 "kernel = \\EFI\\kestrel\\vmlinuz\n"
                 "initrd = \\EFI\\kestrel\\initrd.img\n"
                 "cmdline = console=ttyS0,115200 root=/dev/ram0 # not a comment\n"
                 "loglevel = debug\n"
                 "cpus = 4\n",
                 &cfg);
    CHECK_EQ_U64(cfg.payload, CFG_PAYLOAD_LINUX);
    CHECK_STR(cfg.kernel, "\\EFI\\kestrel\\vmlinuz");
    CHECK_STR(cfg.initrd, "\\EFI\\kestrel\\initrd.img");
    CHECK_STR(cfg.cmdline, "console=ttyS0,115200 root=/dev/ram0 # not a comment");
    CHECK_EQ_U64(cfg.loglevel, CFG_LOG_DEBUG);
    CHECK_EQ_U64(cfg.cpus, 4);
    CHECK_EQ_U64(cfg.payload_line, 2);
    CHECK_EQ_U64(cfg.kernel_line, 3);
    CHECK_EQ_U64(cfg.initrd_line, 4);
    CHECK_EQ_U64(cfg.cmdline_line, 5);
    CHECK_EQ_U64(cfg.cpus_line, 7);
    CHECK_EQ_U64(cfg.module_count, 0);
}

TEST(config_whitespace_is_trimmed)
{
    struct kestrel_config cfg;

    CHECK_CFG_OK("  \tpayload\t =\t linux  \t\n"
                 "kernel=\\boot\\my kernel.img   \n"
                 "cmdline =   a  b   \n",
                 &cfg);
    CHECK_EQ_U64(cfg.payload, CFG_PAYLOAD_LINUX);
    CHECK_STR(cfg.kernel, "\\boot\\my kernel.img");
    CHECK_STR(cfg.cmdline, "a  b");
}

TEST(config_value_keeps_equals_and_hash)
{
    struct kestrel_config cfg;

    CHECK_CFG_OK("cmdline = a=b==c #d # e=\n", &cfg);
    CHECK_STR(cfg.cmdline, "a=b==c #d # e=");
    CHECK_CFG_OK("cmdline==x\n", &cfg);
    CHECK_STR(cfg.cmdline, "=x");
}

TEST(config_crlf_line_ends)
{
    struct kestrel_config cfg;

    CHECK_CFG_OK("# comment\r\n\r\npayload = linux\r\nkernel = \\vmlinuz\r\ncmdline = quiet\r\n", &cfg);
    CHECK_EQ_U64(cfg.payload, CFG_PAYLOAD_LINUX);
    CHECK_STR(cfg.kernel, "\\vmlinuz");
    CHECK_STR(cfg.cmdline, "quiet");
    CHECK_EQ_U64(cfg.kernel_line, 4);
    /* Line numbers still count CRLF lines. */
    CHECK_CFG_ERROR("# c\r\n\r\nbogus = 1\r\n", 3, "unknown key 'bogus'");
}

TEST(config_no_final_newline)
{
    struct kestrel_config cfg;

    CHECK_CFG_OK("loglevel = error", &cfg);
    CHECK_EQ_U64(cfg.loglevel, CFG_LOG_ERROR);
    CHECK_CFG_OK("loglevel = warn\r", &cfg);
    CHECK_EQ_U64(cfg.loglevel, CFG_LOG_WARN);
}

TEST(config_utf8_bom_is_skipped)
{
    struct kestrel_config cfg;

    CHECK_CFG_OK("\xef\xbb\xbfloglevel = debug\n", &cfg);
    CHECK_EQ_U64(cfg.loglevel, CFG_LOG_DEBUG);
}

TEST(config_slashes_become_backslashes)
{
    struct kestrel_config cfg;

    CHECK_CFG_OK("payload = linux\nkernel = /boot/vmlinuz\ninitrd = /boot\\mixed/initrd\n", &cfg);
    CHECK_STR(cfg.kernel, "\\boot\\vmlinuz");
    CHECK_STR(cfg.initrd, "\\boot\\mixed\\initrd");
    CHECK_CFG_OK("payload = multiboot\nkernel = /mb.elf\nmodule = /mods/a.bin x/y\n", &cfg);
    CHECK_STR(cfg.modules[0].path, "\\mods\\a.bin");
    /* Arguments are not paths: left alone. */
    CHECK_STR(cfg.modules[0].args, "x/y");
}

TEST(config_multiboot_modules)
{
    struct kestrel_config cfg;

    CHECK_CFG_OK("payload = multiboot\n"
                 "kernel = \\mb\\kernel.elf\n"
                 "module = \\mb\\a.bin\n"
                 "module = \\mb\\b.bin   arg1  arg2=x  \n"
                 "module =\t\\mb\\c.bin\targs\twith\ttabs\n",
                 &cfg);
    CHECK_EQ_U64(cfg.payload, CFG_PAYLOAD_MULTIBOOT);
    CHECK_EQ_U64(cfg.module_count, 3);
    CHECK_STR(cfg.modules[0].path, "\\mb\\a.bin");
    CHECK_STR(cfg.modules[0].args, "");
    CHECK_EQ_U64(cfg.modules[0].line, 3);
    CHECK_STR(cfg.modules[1].path, "\\mb\\b.bin");
    CHECK_STR(cfg.modules[1].args, "arg1  arg2=x");
    CHECK_EQ_U64(cfg.modules[1].line, 4);
    CHECK_STR(cfg.modules[2].path, "\\mb\\c.bin");
    CHECK_STR(cfg.modules[2].args, "args\twith\ttabs");
    CHECK_EQ_U64(cfg.modules[2].line, 5);
}

TEST(config_every_payload_and_loglevel)
{
    static const char *const payloads[] = { "selftest", "hostile", "bench" };
    static const char *const levels[] = { "error", "warn", "info", "debug" };
    struct kestrel_config cfg;
    char text[64];

    for (unsigned i = 0; i < 3; i++) {
        snprintf(text, sizeof(text), "payload = %s\n", payloads[i]);
        CHECK_CFG_OK(text, &cfg);
        CHECK_EQ_U64(cfg.payload, i);
        CHECK_STR(config_payload_name(cfg.payload), payloads[i]);
    }
    CHECK_CFG_OK("payload = linux\nkernel = \\k\n", &cfg);
    CHECK_EQ_U64(cfg.payload, CFG_PAYLOAD_LINUX);
    CHECK_CFG_OK("payload = multiboot\nkernel = \\k\n", &cfg);
    CHECK_EQ_U64(cfg.payload, CFG_PAYLOAD_MULTIBOOT);
    for (unsigned i = 0; i < 4; i++) {
        snprintf(text, sizeof(text), "loglevel = %s\n", levels[i]);
        CHECK_CFG_OK(text, &cfg);
        CHECK_EQ_U64(cfg.loglevel, i);
        CHECK_STR(config_loglevel_name(cfg.loglevel), levels[i]);
    }
}

TEST(config_names)
{
    CHECK_STR(config_payload_name(CFG_PAYLOAD_SELFTEST), "selftest");
    CHECK_STR(config_payload_name(CFG_PAYLOAD_HOSTILE), "hostile");
    CHECK_STR(config_payload_name(CFG_PAYLOAD_BENCH), "bench");
    CHECK_STR(config_payload_name(CFG_PAYLOAD_LINUX), "linux");
    CHECK_STR(config_payload_name(CFG_PAYLOAD_MULTIBOOT), "multiboot");
    CHECK_STR(config_payload_name((enum cfg_payload)99), "unknown");
    CHECK_STR(config_loglevel_name(CFG_LOG_ERROR), "error");
    CHECK_STR(config_loglevel_name(CFG_LOG_WARN), "warn");
    CHECK_STR(config_loglevel_name(CFG_LOG_INFO), "info");
    CHECK_STR(config_loglevel_name(CFG_LOG_DEBUG), "debug");
    CHECK_STR(config_loglevel_name((enum cfg_loglevel)-1), "unknown");
}

TEST(config_cpus)
{
    struct kestrel_config cfg;

    CHECK_CFG_OK("cpus = 1\n", &cfg);
    CHECK_EQ_U64(cfg.cpus, 1);
    CHECK_EQ_U64(cfg.cpus_line, 1);
    CHECK_CFG_OK("\ncpus = 256\n", &cfg);
    CHECK_EQ_U64(cfg.cpus, 256);
    CHECK_EQ_U64(cfg.cpus_line, 2);
    CHECK_CFG_OK("cpus = 0x10\n", &cfg);
    CHECK_EQ_U64(cfg.cpus, 16);
    CHECK_CFG_ERROR("cpus = 0\n", 1, "1 to 256");
    CHECK_CFG_ERROR("cpus = 257\n", 1, "1 to 256");
    CHECK_CFG_ERROR("\n\ncpus = -1\n", 3, "bad cpus '-1'");
    CHECK_CFG_ERROR("cpus = four\n", 1, "bad cpus 'four'");
    CHECK_CFG_ERROR("cpus = 4 cpus\n", 1, "1 to 256");
    CHECK_CFG_ERROR("cpus = 99999999999999999999999\n", 1, "1 to 256");
    CHECK_CFG_ERROR("cpus = 000000000000000000000000000000001\n", 1, "1 to 256");
}

TEST(config_error_nul_byte)
{
    struct kestrel_config cfg;
    struct cfg_error err;
    static const char text[] = "payload = linux\nkernel = \\a\0b\nx";

    CHECK(!parse_len(text, sizeof(text) - 1, &cfg, &err));
    CHECK_EQ_U64(err.line, 2);
    CHECK(strstr(err.msg, "NUL") != NULL);
    /* In a comment too: the file is not text. */
    static const char comment[] = "# \0\n";
    CHECK(!parse_len(comment, sizeof(comment) - 1, &cfg, &err));
    CHECK_EQ_U64(err.line, 1);
}

TEST(config_error_line_too_long)
{
    struct kestrel_config cfg;
    const char *text;

    /* Exactly CFG_LINE_MAX characters is fine, with LF or CRLF. */
    text = with_run("#", 'c', CFG_LINE_MAX - 1, "\n");
    CHECK_CFG_OK(text, &cfg);
    text = with_run("#", 'c', CFG_LINE_MAX - 1, "\r\n");
    CHECK_CFG_OK(text, &cfg);
    text = with_run("\n#", 'c', CFG_LINE_MAX, "\n");
    CHECK_CFG_ERROR(text, 2, "line too long");
    text = with_run("cmdline = ", 'x', CFG_LINE_MAX, "");
    CHECK_CFG_ERROR(text, 1, "line too long");
}

TEST(config_error_missing_equals)
{
    CHECK_CFG_ERROR("kernel \\vmlinuz\n", 1, "no '='");
    CHECK_CFG_ERROR("# ok\npayload\n", 2, "no '='");
}

TEST(config_error_empty_key)
{
    CHECK_CFG_ERROR("= linux\n", 1, "missing key");
    CHECK_CFG_ERROR("\n  \t= x\n", 2, "missing key");
}

TEST(config_error_unknown_key)
{
    struct kestrel_config cfg;
    struct cfg_error err;

    CHECK(!parse("loglevel = info\npaylod = linux\n", &cfg, &err));
    CHECK_EQ_U64(err.line, 2);
    CHECK_STR(err.msg, "unknown key 'paylod'");
    /* Keys are case-sensitive. */
    CHECK_CFG_ERROR("Payload = linux\n", 1, "unknown key 'Payload'");
    CHECK_CFG_ERROR("ker nel = \\x\n", 1, "unknown key 'ker nel'");
    /* An absurdly long key is quoted in part, never overflowing msg. */
    const char *text = with_run("", 'k', 500, " = 1\n");
    CHECK(!parse(text, &cfg, &err));
    CHECK(strlen(err.msg) < sizeof(err.msg));
    CHECK(strncmp(err.msg, "unknown key 'kkkk", 17) == 0);
}

TEST(config_error_empty_value)
{
    CHECK_CFG_ERROR("kernel =\n", 1, "empty value for 'kernel'");
    CHECK_CFG_ERROR("cmdline =   \t \r\n", 1, "empty value for 'cmdline'");
    CHECK_CFG_ERROR("\n\npayload=\n", 3, "empty value for 'payload'");
    CHECK_CFG_ERROR("module =\n", 1, "empty value for 'module'");
}

TEST(config_error_duplicate_keys)
{
    CHECK_CFG_ERROR("payload = linux\npayload = linux\n", 2, "duplicate key 'payload' (first set on line 1)");
    CHECK_CFG_ERROR("payload = linux\nkernel = \\a\n\nkernel = \\b\n", 4, "duplicate key 'kernel'");
    CHECK_CFG_ERROR("initrd = \\a\ninitrd = \\b\n", 2, "duplicate key 'initrd'");
    CHECK_CFG_ERROR("cmdline = a\ncmdline = b\n", 2, "duplicate key 'cmdline'");
    CHECK_CFG_ERROR("loglevel = info\n#\nloglevel = info\n", 3, "duplicate key 'loglevel' (first set on line 1)");
    CHECK_CFG_ERROR("cpus = 1\ncpus = 2\n", 2, "duplicate key 'cpus'");
}

TEST(config_error_bad_payload)
{
    CHECK_CFG_ERROR("payload = Linux\n", 1,
                    "bad payload 'Linux' (expected selftest, hostile, bench, linux or multiboot)");
    CHECK_CFG_ERROR("payload = linux2\n", 1, "bad payload");
    CHECK_CFG_ERROR("payload = linux multiboot\n", 1, "bad payload");
}

TEST(config_error_bad_loglevel)
{
    CHECK_CFG_ERROR("loglevel = verbose\n", 1,
                    "bad loglevel 'verbose' (expected error, warn, info or debug)");
    CHECK_CFG_ERROR("loglevel = 3\n", 1, "bad loglevel");
}

TEST(config_error_bad_paths)
{
    struct kestrel_config cfg;
    const char *text;

    CHECK_CFG_ERROR("kernel = vmlinuz\n", 1, "must start with");
    CHECK_CFG_ERROR("payload = linux\ninitrd = initrd.img\n", 2, "must start with");
    CHECK_CFG_ERROR("module = a.bin\n", 1, "must start with");

    /* CFG_PATH_MAX - 1 characters fit; one more does not. */
    text = with_run("payload = linux\nkernel = \\", 'k', CFG_PATH_MAX - 2, "\n");
    CHECK_CFG_OK(text, &cfg);
    CHECK_EQ_U64(strlen(cfg.kernel), CFG_PATH_MAX - 1);
    text = with_run("payload = linux\nkernel = \\", 'k', CFG_PATH_MAX - 1, "\n");
    CHECK_CFG_ERROR(text, 2, "path too long");
    text = with_run("initrd = /", 'i', CFG_PATH_MAX - 1, "\n");
    CHECK_CFG_ERROR(text, 1, "path too long");
    text = with_run("module = /", 'm', CFG_PATH_MAX - 1, " args\n");
    CHECK_CFG_ERROR(text, 1, "path too long");
}

TEST(config_error_cmdline_too_long)
{
    struct kestrel_config cfg;
    const char *text;

    text = with_run("cmdline = ", 'c', CFG_CMDLINE_MAX - 1, "\n");
    CHECK_CFG_OK(text, &cfg);
    CHECK_EQ_U64(strlen(cfg.cmdline), CFG_CMDLINE_MAX - 1);
    text = with_run("\ncmdline = ", 'c', CFG_CMDLINE_MAX, "\n");
    CHECK_CFG_ERROR(text, 2, "cmdline too long");
}

TEST(config_error_too_many_modules)
{
    struct kestrel_config cfg;
    char text[1024];
    size_t n = (size_t)snprintf(text, sizeof(text), "payload = multiboot\nkernel = \\k\n");

    for (int i = 0; i < CFG_MODULES_MAX; i++)
        n += (size_t)snprintf(text + n, sizeof(text) - n, "module = \\m%d\n", i);
    CHECK_CFG_OK(text, &cfg);
    CHECK_EQ_U64(cfg.module_count, CFG_MODULES_MAX);
    CHECK_STR(cfg.modules[CFG_MODULES_MAX - 1].path, "\\m7");
    snprintf(text + n, sizeof(text) - n, "module = \\one-too-many\n");
    CHECK_CFG_ERROR(text, 2 + CFG_MODULES_MAX + 1, "too many modules");
}

TEST(config_error_module_args_too_long)
{
    struct kestrel_config cfg;
    const char *text;

    text = with_run("payload = multiboot\nkernel = \\k\nmodule = \\m ", 'a', CFG_ARGS_MAX - 1, "\n");
    CHECK_CFG_OK(text, &cfg);
    CHECK_EQ_U64(strlen(cfg.modules[0].args), CFG_ARGS_MAX - 1);
    text = with_run("payload = multiboot\nkernel = \\k\nmodule = \\m ", 'a', CFG_ARGS_MAX, "\n");
    CHECK_CFG_ERROR(text, 3, "arguments too long");
}

TEST(config_cross_check_kernel_required)
{
    CHECK_CFG_ERROR("payload = linux\n", 1, "payload 'linux' needs a 'kernel");
    CHECK_CFG_ERROR("# x\npayload = multiboot\nmodule = \\m\n", 2, "payload 'multiboot' needs a 'kernel");
}

TEST(config_cross_check_initrd_needs_linux)
{
    CHECK_CFG_ERROR("payload = multiboot\nkernel = \\k\ninitrd = \\i\n", 3, "initrd needs payload 'linux'");
}

TEST(config_cross_check_module_needs_multiboot)
{
    CHECK_CFG_ERROR("payload = linux\nkernel = \\k\n\nmodule = \\m\nmodule = \\n\n", 4,
                    "module needs payload 'multiboot'");
}

TEST(config_cross_check_builtin_payloads)
{
    CHECK_CFG_ERROR("payload = selftest\n\nkernel = \\k\n", 3, "built-in payload 'selftest'");
    CHECK_CFG_ERROR("payload = hostile\ninitrd = \\i\n", 2, "initrd is not used by the built-in payload 'hostile'");
    CHECK_CFG_ERROR("payload = bench\nmodule = \\m a b\n", 2, "module is not used by the built-in payload 'bench'");
    /* No payload line means selftest, which is built in. */
    CHECK_CFG_ERROR("kernel = \\k\n", 1, "built-in payload 'selftest'");
}

/* A command line is no file: every payload accepts one (a built-in guest
 * ignores it), as before the payload table. */
TEST(config_cross_check_cmdline_with_any_payload)
{
    struct kestrel_config cfg;

    CHECK_CFG_OK("payload = hostile\ncmdline = x\n", &cfg);
    CHECK_CFG_OK("payload = bench\ncmdline = x\n", &cfg);
    CHECK_CFG_OK("payload = multiboot\nkernel = \\k\ncmdline = x\n", &cfg);
    CHECK_STR(cfg.cmdline, "x");
}

TEST(config_cross_check_ignores_line_order)
{
    struct kestrel_config cfg;

    CHECK_CFG_OK("initrd = \\i\nkernel = \\k\npayload = linux\n", &cfg);
    CHECK_EQ_U64(cfg.payload_line, 3);
    CHECK_CFG_OK("module = \\m\nkernel = \\k\npayload = multiboot\n", &cfg);
    CHECK_EQ_U64(cfg.module_count, 1);
}

TEST(config_null_error_pointer)
{
    struct kestrel_config cfg;

    CHECK(!config_parse("bogus\n", 6, &cfg, NULL));
    CHECK(config_parse("cpus = 2\n", 9, &cfg, NULL));
    CHECK_EQ_U64(cfg.cpus, 2);
}

TEST(config_reparse_resets_state)
{
    struct kestrel_config cfg;

    CHECK_CFG_OK("payload = multiboot\nkernel = \\k\nmodule = \\m\ncpus = 3\n", &cfg);
    CHECK_CFG_OK("loglevel = warn\n", &cfg);
    CHECK_EQ_U64(cfg.payload, CFG_PAYLOAD_SELFTEST);
    CHECK_EQ_U64(cfg.module_count, 0);
    CHECK_EQ_U64(cfg.cpus, 0);
    CHECK_STR(cfg.kernel, "");
}

TEST(config_crash_test_hook)
{
    struct kestrel_config cfg;
    struct cfg_error err;
    CHECK(parse("crash_test = ap\n", &cfg, &err));
    CHECK_EQ_U64(cfg.crash_test, CFG_CRASH_AP);
    CHECK(parse("crash_test = bsp\n", &cfg, &err));
    CHECK_EQ_U64(cfg.crash_test, CFG_CRASH_BSP);
    CHECK(parse("crash_test = vmentry\n", &cfg, &err));
    CHECK_EQ_U64(cfg.crash_test, CFG_CRASH_VMENTRY);
    CHECK(parse("crash_test = triple\n", &cfg, &err));
    CHECK_EQ_U64(cfg.crash_test, CFG_CRASH_TRIPLE);
    CHECK(parse("# nothing\n", &cfg, &err));
    CHECK_EQ_U64(cfg.crash_test, CFG_CRASH_NONE);
    expect_error(unit_ctx_, "loglevel = warn\ncrash_test = yes\n", 2,
                 "bad crash_test 'yes' (expected none, bsp, ap, vmentry or triple)");
    CHECK_PASSING();
    expect_error(unit_ctx_, "crash_test = ap\ncrash_test = ap\n", 2, "crash_test");
}

TEST(config_console)
{
    struct kestrel_config cfg;

    CHECK_CFG_OK("payload = selftest\n", &cfg);
    CHECK_EQ_U64(cfg.console, CFG_CONSOLE_COM1);
    CHECK_CFG_OK("console = com2\n", &cfg);
    CHECK_EQ_U64(cfg.console, CFG_CONSOLE_COM2);
    CHECK_STR(config_console_name(cfg.console), "com2");
    CHECK_CFG_OK("console = com1\npayload = hostile\n", &cfg);
    CHECK_EQ_U64(cfg.console, CFG_CONSOLE_COM1);
    CHECK_CFG_ERROR("console = com3\n", 1, "bad console 'com3' (expected com1 or com2)");
    CHECK_CFG_ERROR("console = com2\nconsole = com1\n", 2, "console");
}

TEST(config_ap_start)
{
    struct kestrel_config cfg;

    CHECK_CFG_OK("payload = selftest\n", &cfg);
    CHECK_EQ_U64(cfg.ap_start, CFG_AP_START_AUTO);
    CHECK_EQ_U64(cfg.ap_start_line, 0);
    CHECK_STR(config_ap_start_name(cfg.ap_start), "auto");
    CHECK_CFG_OK("cpus = 4\nap_start = mediated\n", &cfg);
    CHECK_EQ_U64(cfg.ap_start, CFG_AP_START_MEDIATED);
    CHECK_EQ_U64(cfg.ap_start_line, 2);
    CHECK_STR(config_ap_start_name(cfg.ap_start), "mediated");
    CHECK_CFG_OK("ap_start = sipi\npayload = hostile\n", &cfg);
    CHECK_EQ_U64(cfg.ap_start, CFG_AP_START_SIPI);
    CHECK_CFG_ERROR("ap_start = auto\n", 1, "bad ap_start 'auto' (expected mediated or sipi)");
    CHECK_CFG_ERROR("ap_start = INIT\n", 1, "bad ap_start 'INIT' (expected mediated or sipi)");
    CHECK_CFG_ERROR("ap_start = sipi\nap_start = mediated\n", 2, "ap_start");
}

TEST(config_hostile_case)
{
    struct kestrel_config cfg;

    CHECK_CFG_OK("payload = hostile\nhostile_case = reset/kbc-f0\n", &cfg);
    CHECK_STR(cfg.hostile_case, "reset/kbc-f0");
    CHECK_EQ_U64(cfg.hostile_case_line, 2);
    CHECK_CFG_OK("payload = hostile\n", &cfg);
    CHECK_STR(cfg.hostile_case, "");
    CHECK_CFG_ERROR("hostile_case = reset/cf9\n", 1, "hostile_case needs payload 'hostile'");
    CHECK_CFG_ERROR("payload = hostile\nhostile_case = Reset\n", 2, "bad hostile_case 'Reset'");
    CHECK_CFG_ERROR(with_run("payload = hostile\nhostile_case = ", 'a', 48, "\n"), 2,
                    "bad hostile_case (1 to 47 characters)");
    CHECK_CFG_OK(with_run("payload = hostile\nhostile_case = ", 'a', 47, "\n"), &cfg);
}

TEST_SUITE(config,
    UNIT(config_console),
    UNIT(config_ap_start),
    UNIT(config_hostile_case),
    UNIT(config_crash_test_hook),
    UNIT(config_defaults),
    UNIT(config_empty_text_gives_defaults),
    UNIT(config_comments_and_blank_lines),
    UNIT(config_full_linux),
    UNIT(config_whitespace_is_trimmed),
    UNIT(config_value_keeps_equals_and_hash),
    UNIT(config_crlf_line_ends),
    UNIT(config_no_final_newline),
    UNIT(config_utf8_bom_is_skipped),
    UNIT(config_slashes_become_backslashes),
    UNIT(config_multiboot_modules),
    UNIT(config_every_payload_and_loglevel),
    UNIT(config_names),
    UNIT(config_cpus),
    UNIT(config_error_nul_byte),
    UNIT(config_error_line_too_long),
    UNIT(config_error_missing_equals),
    UNIT(config_error_empty_key),
    UNIT(config_error_unknown_key),
    UNIT(config_error_empty_value),
    UNIT(config_error_duplicate_keys),
    UNIT(config_error_bad_payload),
    UNIT(config_error_bad_loglevel),
    UNIT(config_error_bad_paths),
    UNIT(config_error_cmdline_too_long),
    UNIT(config_error_too_many_modules),
    UNIT(config_error_module_args_too_long),
    UNIT(config_cross_check_kernel_required),
    UNIT(config_cross_check_initrd_needs_linux),
    UNIT(config_cross_check_module_needs_multiboot),
    UNIT(config_cross_check_builtin_payloads),
    UNIT(config_cross_check_cmdline_with_any_payload),
    UNIT(config_cross_check_ignores_line_order),
    UNIT(config_null_error_pointer),
    UNIT(config_reparse_resets_state),
);
