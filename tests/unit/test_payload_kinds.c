/* Unit tests for lib/payload_kinds.c: the table's own rules, the look-ups
 * config validation relies on, and the list its messages quote. */
#include "test.h"

#include "lib/payload_kinds.h"

TEST(payload_kinds_rows_are_whole)
{
    for (unsigned i = 0; i < CFG_PAYLOAD_COUNT; i++) {
        const struct payload_kind *k = payload_kind((enum cfg_payload)i);
        CHECK(k != NULL);
        CHECK(k->name != NULL && k->name[0] != '\0');
        /* What a kind needs it must also take. */
        CHECK_EQ_U64(k->needs & ~k->takes, 0);
        /* A built-in image reads nothing from the boot volume. */
        if (k->builtin)
            CHECK_EQ_U64(k->takes, 0);
        else
            CHECK(k->needs & PAYLOAD_INPUT_KERNEL);
    }
    CHECK(payload_kind(CFG_PAYLOAD_COUNT) == NULL);
    CHECK(payload_kind((enum cfg_payload)-1) == NULL);
}

TEST(payload_kinds_what_each_takes)
{
    CHECK(payload_kind(CFG_PAYLOAD_SELFTEST)->builtin);
    CHECK(payload_kind(CFG_PAYLOAD_HOSTILE)->builtin);
    CHECK(payload_kind(CFG_PAYLOAD_BENCH)->builtin);
    CHECK_EQ_U64(payload_kind(CFG_PAYLOAD_LINUX)->takes,
                 PAYLOAD_INPUT_KERNEL | PAYLOAD_INPUT_INITRD | PAYLOAD_INPUT_CMDLINE);
    CHECK_EQ_U64(payload_kind(CFG_PAYLOAD_MULTIBOOT)->takes,
                 PAYLOAD_INPUT_KERNEL | PAYLOAD_INPUT_MODULES | PAYLOAD_INPUT_CMDLINE);
    CHECK_STR(payload_kind_taking(PAYLOAD_INPUT_INITRD)->name, "linux");
    CHECK_STR(payload_kind_taking(PAYLOAD_INPUT_MODULES)->name, "multiboot");
    CHECK_STR(payload_kind_taking(PAYLOAD_INPUT_KERNEL)->name, "linux");
    CHECK(payload_kind_taking(0) == NULL);
}

TEST(payload_kinds_find_by_name)
{
    enum cfg_payload p = CFG_PAYLOAD_COUNT;

    for (unsigned i = 0; i < CFG_PAYLOAD_COUNT; i++) {
        const char *name = payload_kind((enum cfg_payload)i)->name;
        CHECK(payload_kind_find(name, strlen(name), &p));
        CHECK_EQ_U64(p, i);
    }
    /* Whole names only: no prefix, no longer word, no case folding. */
    CHECK(!payload_kind_find("linu", 4, &p));
    CHECK(!payload_kind_find("linuxx", 6, &p));
    CHECK(!payload_kind_find("Linux", 5, &p));
    CHECK(!payload_kind_find("", 0, &p));
    /* The name need not be NUL-terminated: only len bytes are read. */
    CHECK(payload_kind_find("benchmark", 5, &p));
    CHECK_EQ_U64(p, CFG_PAYLOAD_BENCH);
}

TEST(payload_kinds_names_list)
{
    char buf[80], small[12];

    payload_kind_names(buf, sizeof(buf));
    CHECK_STR(buf, "selftest, hostile, bench, linux or multiboot");
    payload_kind_names(small, sizeof(small));
    CHECK_STR(small, "selftest, h");
    payload_kind_names(small, 1);
    CHECK_STR(small, "");
}

TEST_SUITE(payload_kinds,
    UNIT(payload_kinds_rows_are_whole),
    UNIT(payload_kinds_what_each_takes),
    UNIT(payload_kinds_find_by_name),
    UNIT(payload_kinds_names_list),
);
