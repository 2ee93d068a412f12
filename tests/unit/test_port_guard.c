/* Unit tests for core/port_guard.c. */
#include "test.h"

#include "core/port_guard.h"

static const unsigned io_sizes[] = { 1, 2, 4 };
#define IO_SIZE_COUNT (sizeof(io_sizes) / sizeof(io_sizes[0]))

#define PM1_CNT 0xb004          /* a typical PM1a_CNT port (PMBASE 0xb000) */

/* ---- helpers ----------------------------------------------------------- */

/* The value of an OUT of `size` bytes at `start` that writes byte `b` to
 * `target` and `filler` to every other port it covers. */
static uint32_t value_with_byte_at(uint16_t start, unsigned size, uint16_t target, uint8_t b,
                                   uint8_t filler)
{
    uint32_t v = 0;

    for (unsigned i = 0; i < size; i++) {
        uint8_t lane = (uint16_t)(start + i) == target ? b : filler;

        v |= (uint32_t)lane << (8 * i);
    }
    return v;
}

static bool covers(uint16_t start, unsigned size, uint16_t target)
{
    return (uint16_t)(target - start) < size;
}

/* v with the lane that an OUT at `start` writes to `target` set to b. */
static uint32_t place_byte(uint32_t v, uint16_t start, unsigned size, uint16_t target, uint8_t b)
{
    unsigned lane = (uint16_t)(target - start);

    if (lane >= size)
        return v;
    return (v & ~(0xffu << (8 * lane))) | ((uint32_t)b << (8 * lane));
}

/* One OUT from a fresh 8042 state. */
static enum reset_path fresh_write(uint16_t port, unsigned size, uint32_t value)
{
    struct kbc_watch kbc = { .output_port_next = false };

    return reset_write(&kbc, port, size, value);
}

static bool is_watched(uint16_t port)
{
    size_t n = 0;
    const uint16_t *ports = reset_watched_ports(&n);

    for (size_t i = 0; i < n; i++) {
        if (ports[i] == port)
            return true;
    }
    return false;
}

static bool covers_watched(uint16_t start, unsigned size)
{
    for (unsigned i = 0; i < size; i++) {
        if (is_watched((uint16_t)(start + i)))
            return true;
    }
    return false;
}

/* ---- io_byte_written ----------------------------------------------------- */

TEST(io_byte_every_size_and_start)
{
    const uint16_t target = 0x404;
    const uint32_t value = 0x44332211u;

    for (size_t s = 0; s < IO_SIZE_COUNT; s++) {
        unsigned size = io_sizes[s];

        for (uint16_t start = target - 6; start <= target + 2; start++) {
            uint8_t b = 0xaa;
            bool hit = io_byte_written(start, size, value, target, &b);
            bool want = start <= target && target < start + size;

            CHECK_EQ_U64(hit, want);
            if (want)
                CHECK_EQ_U64(b, (value >> (8 * (target - start))) & 0xff);
            else
                CHECK_EQ_U64(b, 0xaa);          /* untouched */
        }
    }
}

TEST(io_byte_invalid_sizes_write_nothing)
{
    static const unsigned bad[] = { 0, 3, 5, 8, 16, 0xffffffffu };
    uint8_t b = 0x5a;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CHECK(!io_byte_written(0x100, bad[i], 0xffffffffu, 0x100, &b));
        CHECK(!io_byte_written(0x100, bad[i], 0xffffffffu, 0x101, &b));
    }
    CHECK_EQ_U64(b, 0x5a);
}

TEST(io_byte_null_byte_pointer)
{
    CHECK(io_byte_written(0x60, 1, 0xfe, 0x60, NULL));
    CHECK(!io_byte_written(0x60, 1, 0xfe, 0x61, NULL));
}

TEST(io_byte_wraps_at_ffff)
{
    uint8_t b = 0;

    CHECK(io_byte_written(0xffff, 2, 0xbbaa, 0x0000, &b));
    CHECK_EQ_U64(b, 0xbb);
    CHECK(io_byte_written(0xfffe, 4, 0x44332211u, 0x0001, &b));
    CHECK_EQ_U64(b, 0x44);
    CHECK(!io_byte_written(0xfffe, 4, 0x44332211u, 0x0002, &b));
    CHECK(!io_byte_written(0xffff, 1, 0xff, 0x0000, &b));
}

/* ---- PM1_CNT ---------------------------------------------------------------- */

TEST(pm1_byte_at_cnt_writes_only_the_low_byte)
{
    struct pm1_cnt_write w = pm1_cnt_decode(PM1_CNT, 1, 0xff, PM1_CNT);
    unsigned typ = 99;

    CHECK(w.covers);
    CHECK_EQ_U64(w.mask, 0x00ff);
    CHECK_EQ_U64(w.bits, 0x00ff);
    CHECK(!pm1_sleep_request(&w, &typ));         /* SCI_EN..bit 7 only */
    CHECK_EQ_U64(typ, 0);
}

TEST(pm1_byte_at_cnt_plus_one_is_the_sleep_byte)
{
    struct pm1_cnt_write w = pm1_cnt_decode(PM1_CNT + 1, 1, 0x34, PM1_CNT);
    unsigned typ = 99;

    CHECK(w.covers);
    CHECK_EQ_U64(w.mask, 0xff00);
    CHECK_EQ_U64(w.bits, 0x3400);
    CHECK(pm1_sleep_request(&w, &typ));
    CHECK_EQ_U64(typ, 5);                        /* SLP_TYP 5 | SLP_EN */
}

TEST(pm1_dword_two_before_with_sleep_in_upper_half)
{
    struct pm1_cnt_write w = pm1_cnt_decode(PM1_CNT - 2, 4, 0x3401ffffu, PM1_CNT);
    unsigned typ = 99;

    CHECK(w.covers);
    CHECK_EQ_U64(w.mask, 0xffff);
    CHECK_EQ_U64(w.bits, 0x3401);
    CHECK(pm1_sleep_request(&w, &typ));
    CHECK_EQ_U64(typ, 5);
}

TEST(pm1_every_size_and_start)
{
    /* PM1_CNT's low byte gets SCI_EN, its high byte SLP_EN | SLP_TYP 7,
     * every other port 0xEE. */
    for (size_t s = 0; s < IO_SIZE_COUNT; s++) {
        unsigned size = io_sizes[s];

        for (uint16_t start = PM1_CNT - 5; start <= PM1_CNT + 3; start++) {
            uint32_t v = place_byte(value_with_byte_at(start, size, PM1_CNT, 0x01, 0xee),
                                    start, size, PM1_CNT + 1, 0x3c);
            bool low = covers(start, size, PM1_CNT), high = covers(start, size, PM1_CNT + 1);
            struct pm1_cnt_write w = pm1_cnt_decode(start, size, v, PM1_CNT);
            unsigned typ = 99;

            CHECK_EQ_U64(w.covers, low || high);
            CHECK_EQ_U64(w.mask, (low ? 0x00ffu : 0) | (high ? 0xff00u : 0));
            CHECK_EQ_U64(w.bits, (low ? 0x0001u : 0) | (high ? 0x3c00u : 0));
            CHECK_EQ_U64(pm1_sleep_request(&w, &typ), high);
            CHECK_EQ_U64(typ, high ? 7 : 0);
        }
    }
}

TEST(pm1_every_high_byte_value)
{
    for (unsigned b = 0; b < 256; b++) {
        struct pm1_cnt_write w = pm1_cnt_decode(PM1_CNT, 2, b << 8, PM1_CNT);
        unsigned typ = 99;
        bool sleep = pm1_sleep_request(&w, &typ);

        CHECK_EQ_U64(sleep, (b & 0x20) != 0);
        CHECK_EQ_U64(typ, sleep ? (b >> 2) & 7 : 0);
    }
}

TEST(pm1_slp_typ_without_slp_en_is_not_a_request)
{
    struct pm1_cnt_write w = pm1_cnt_decode(PM1_CNT, 2, 0x1c01, PM1_CNT);
    unsigned typ = 99;

    CHECK(!pm1_sleep_request(&w, &typ));
    CHECK_EQ_U64(typ, 0);
}

TEST(pm1_far_and_malformed_accesses)
{
    struct pm1_cnt_write w = pm1_cnt_decode(PM1_CNT + 2, 4, 0xffffffffu, PM1_CNT);
    struct pm1_cnt_write forged = { .covers = true, .mask = 0x00ff, .bits = 0x2000 };
    unsigned typ = 99;

    CHECK(!w.covers);
    CHECK_EQ_U64(w.mask, 0);
    CHECK_EQ_U64(w.bits, 0);
    CHECK(!pm1_sleep_request(&w, &typ));
    w = pm1_cnt_decode(PM1_CNT - 4, 4, 0xffffffffu, PM1_CNT);
    CHECK(!w.covers);
    w = pm1_cnt_decode(PM1_CNT, 3, 0xffffffffu, PM1_CNT);
    CHECK(!w.covers);
    /* SLP_EN outside the written mask does not count. */
    CHECK(!pm1_sleep_request(&forged, &typ));
    CHECK(!pm1_sleep_request(NULL, &typ));
    CHECK_EQ_U64(typ, 0);
    w = pm1_cnt_decode(PM1_CNT, 2, 0x2000, PM1_CNT);
    CHECK(pm1_sleep_request(&w, NULL));
}

TEST(pm1_register_at_ffff_wraps)
{
    /* PM1_CNT at 0xFFFF: its high byte is port 0x0000. */
    struct pm1_cnt_write w = pm1_cnt_decode(0x0000, 1, 0x20, 0xffff);
    unsigned typ = 99;

    CHECK(w.covers);
    CHECK_EQ_U64(w.mask, 0xff00);
    CHECK(pm1_sleep_request(&w, &typ));
    CHECK_EQ_U64(typ, 0);
}

/* ---- names and watched ports ------------------------------------------------ */

TEST(reset_path_names)
{
    CHECK_STR(reset_path_name(RESET_PATH_NONE), "none");
    CHECK_STR(reset_path_name(RESET_PATH_KBC), "kbc-reset");
    CHECK_STR(reset_path_name(RESET_PATH_PORT92), "port92-reset");
    CHECK_STR(reset_path_name(RESET_PATH_CF9), "cf9-reset");
    CHECK_STR(reset_path_name((enum reset_path)99), "?");
    CHECK_STR(reset_path_name((enum reset_path)-1), "?");
}

TEST(reset_watched_ports_list)
{
    size_t n = 0;
    const uint16_t *ports = reset_watched_ports(&n);

    CHECK_EQ_U64(n, 4);
    CHECK_EQ_U64(ports[0], 0x60);
    CHECK_EQ_U64(ports[1], 0x64);
    CHECK_EQ_U64(ports[2], 0x92);
    CHECK_EQ_U64(ports[3], 0xcf9);
    CHECK(reset_watched_ports(NULL) == ports);
}

TEST(reset_only_through_watched_ports)
{
    /* Whatever the port and size, a reset needs a watched byte: the I/O
     * bitmap built from reset_watched_ports() catches every reset. */
    static const uint32_t values[] = { 0x00000000u, 0xfefefefeu, 0xffffffffu, 0x04040404u };

    for (uint32_t port = 0; port <= 0xffff; port++) {
        for (size_t s = 0; s < IO_SIZE_COUNT; s++) {
            for (size_t v = 0; v < sizeof(values) / sizeof(values[0]); v++) {
                struct kbc_watch kbc = { .output_port_next = true };
                enum reset_path p = reset_write(&kbc, (uint16_t)port, io_sizes[s], values[v]);

                if (p != RESET_PATH_NONE)
                    CHECK(covers_watched((uint16_t)port, io_sizes[s]));
            }
        }
    }
}

/* ---- 8042 --------------------------------------------------------------------- */

TEST(kbc_every_command_byte)
{
    for (unsigned cmd = 0; cmd < 256; cmd++) {
        struct kbc_watch kbc = { .output_port_next = false };
        enum reset_path p = reset_write(&kbc, 0x64, 1, cmd);
        bool pulses_reset = cmd >= 0xf0 && (cmd & 1) == 0;

        CHECK_EQ_U64(p, pulses_reset ? RESET_PATH_KBC : RESET_PATH_NONE);
        CHECK_EQ_U64(kbc.output_port_next, cmd == 0xd1);
    }
    CHECK_EQ_U64(fresh_write(0x64, 1, 0xfe), RESET_PATH_KBC);   /* the classic one */
    CHECK_EQ_U64(fresh_write(0x64, 1, 0xff), RESET_PATH_NONE);  /* pulses nothing */
    CHECK_EQ_U64(fresh_write(0x64, 1, 0xf0), RESET_PATH_KBC);   /* pulses all four */
}

TEST(kbc_d1_then_output_port_with_reset_low)
{
    struct kbc_watch kbc = { .output_port_next = false };

    CHECK_EQ_U64(reset_write(&kbc, 0x64, 1, 0xd1), RESET_PATH_NONE);
    CHECK(kbc.output_port_next);
    CHECK_EQ_U64(reset_write(&kbc, 0x60, 1, 0xfe), RESET_PATH_KBC);
    CHECK(!kbc.output_port_next);
}

TEST(kbc_d1_then_output_port_with_reset_high)
{
    struct kbc_watch kbc = { .output_port_next = false };

    /* The A20 gate dance: 0xDF (A20 on) and 0xDD (A20 off) keep bit 0 set. */
    CHECK_EQ_U64(reset_write(&kbc, 0x64, 1, 0xd1), RESET_PATH_NONE);
    CHECK_EQ_U64(reset_write(&kbc, 0x60, 1, 0xdf), RESET_PATH_NONE);
    CHECK(!kbc.output_port_next);
    /* The next data byte is keyboard data again, even with bit 0 clear. */
    CHECK_EQ_U64(reset_write(&kbc, 0x60, 1, 0x00), RESET_PATH_NONE);
    CHECK_EQ_U64(reset_write(&kbc, 0x64, 1, 0xd1), RESET_PATH_NONE);
    CHECK_EQ_U64(reset_write(&kbc, 0x60, 1, 0xdd), RESET_PATH_NONE);
}

TEST(kbc_d1_every_data_byte)
{
    for (unsigned b = 0; b < 256; b++) {
        struct kbc_watch kbc = { .output_port_next = false };

        CHECK_EQ_U64(reset_write(&kbc, 0x64, 1, 0xd1), RESET_PATH_NONE);
        CHECK_EQ_U64(reset_write(&kbc, 0x60, 1, b), (b & 1) ? RESET_PATH_NONE : RESET_PATH_KBC);
        CHECK(!kbc.output_port_next);
    }
}

TEST(kbc_data_without_d1_is_keyboard_data)
{
    struct kbc_watch kbc = { .output_port_next = false };

    for (unsigned b = 0; b < 256; b++) {
        CHECK_EQ_U64(reset_write(&kbc, 0x60, 1, b), RESET_PATH_NONE);
        CHECK(!kbc.output_port_next);
    }
}

TEST(kbc_other_command_cancels_d1)
{
    struct kbc_watch kbc = { .output_port_next = false };

    CHECK_EQ_U64(reset_write(&kbc, 0x64, 1, 0xd1), RESET_PATH_NONE);
    CHECK_EQ_U64(reset_write(&kbc, 0x64, 1, 0xae), RESET_PATH_NONE);    /* enable keyboard */
    CHECK(!kbc.output_port_next);
    CHECK_EQ_U64(reset_write(&kbc, 0x60, 1, 0x00), RESET_PATH_NONE);
    /* Every other command cancels it, 0xFF (pulse nothing) included. */
    for (unsigned cmd = 0; cmd < 256; cmd++) {
        if (cmd == 0xd1 || (cmd >= 0xf0 && (cmd & 1) == 0))
            continue;
        kbc.output_port_next = false;
        CHECK_EQ_U64(reset_write(&kbc, 0x64, 1, 0xd1), RESET_PATH_NONE);
        CHECK_EQ_U64(reset_write(&kbc, 0x64, 1, cmd), RESET_PATH_NONE);
        CHECK(!kbc.output_port_next);
        CHECK_EQ_U64(reset_write(&kbc, 0x60, 1, 0x00), RESET_PATH_NONE);
    }
}

TEST(kbc_d1_twice_still_pending)
{
    struct kbc_watch kbc = { .output_port_next = false };

    CHECK_EQ_U64(reset_write(&kbc, 0x64, 1, 0xd1), RESET_PATH_NONE);
    CHECK_EQ_U64(reset_write(&kbc, 0x64, 1, 0xd1), RESET_PATH_NONE);
    CHECK_EQ_U64(reset_write(&kbc, 0x60, 1, 0x02), RESET_PATH_KBC);
}

TEST(kbc_word_at_63_writes_64_with_high_byte)
{
    struct kbc_watch kbc = { .output_port_next = false };

    CHECK_EQ_U64(fresh_write(0x63, 2, 0xfe00), RESET_PATH_KBC);
    CHECK_EQ_U64(fresh_write(0x63, 2, 0x00fe), RESET_PATH_NONE);    /* 0xFE went to 0x63 */
    CHECK_EQ_U64(reset_write(&kbc, 0x63, 2, 0xd1ff), RESET_PATH_NONE);
    CHECK(kbc.output_port_next);
    CHECK_EQ_U64(reset_write(&kbc, 0x60, 1, 0x00), RESET_PATH_KBC);
}

TEST(kbc_dword_at_61_reaches_64)
{
    struct kbc_watch kbc = { .output_port_next = false };

    CHECK_EQ_U64(fresh_write(0x61, 4, 0xfe000000u), RESET_PATH_KBC);
    CHECK_EQ_U64(fresh_write(0x61, 4, 0x00fefefeu), RESET_PATH_NONE);
    CHECK_EQ_U64(reset_write(&kbc, 0x61, 4, 0xd1000000u), RESET_PATH_NONE);
    CHECK(kbc.output_port_next);
    /* A dword at 0x5D has its top byte at 0x60: that is the output port. */
    CHECK_EQ_U64(reset_write(&kbc, 0x5d, 4, 0x00ffffffu), RESET_PATH_KBC);
}

TEST(kbc_every_size_and_start)
{
    for (size_t s = 0; s < IO_SIZE_COUNT; s++) {
        unsigned size = io_sizes[s];

        for (uint16_t start = 0x5c; start <= 0x66; start++) {
            bool at60 = covers(start, size, 0x60), at64 = covers(start, size, 0x64);
            struct kbc_watch kbc = { .output_port_next = false };
            uint32_t v;

            /* 0xFE at 0x64, 0xFF elsewhere: a reset iff the access reaches 0x64. */
            v = value_with_byte_at(start, size, 0x64, 0xfe, 0xff);
            CHECK_EQ_U64(fresh_write(start, size, v), at64 ? RESET_PATH_KBC : RESET_PATH_NONE);
            /* After 0xD1, 0x00 at 0x60 (0xFF elsewhere): a reset iff it reaches 0x60. */
            CHECK_EQ_U64(reset_write(&kbc, 0x64, 1, 0xd1), RESET_PATH_NONE);
            v = value_with_byte_at(start, size, 0x60, 0x00, 0xff);
            CHECK_EQ_U64(reset_write(&kbc, start, size, v),
                         at60 ? RESET_PATH_KBC : RESET_PATH_NONE);
            /* 0xFF at 0x64 cancelled the 0xD1; an access missing both kept it. */
            CHECK_EQ_U64(kbc.output_port_next, !at60 && !at64);
        }
    }
}

TEST(kbc_null_state_remembers_nothing)
{
    CHECK_EQ_U64(reset_write(NULL, 0x64, 1, 0xfe), RESET_PATH_KBC);
    CHECK_EQ_U64(reset_write(NULL, 0x64, 1, 0xd1), RESET_PATH_NONE);
    CHECK_EQ_U64(reset_write(NULL, 0x60, 1, 0x00), RESET_PATH_NONE);
}

/* ---- port 0x92 ------------------------------------------------------------------ */

TEST(port92_every_byte)
{
    for (unsigned b = 0; b < 256; b++)
        CHECK_EQ_U64(fresh_write(0x92, 1, b), (b & 1) ? RESET_PATH_PORT92 : RESET_PATH_NONE);
    CHECK_EQ_U64(fresh_write(0x92, 1, 0x02), RESET_PATH_NONE);       /* fast A20 only */
}

TEST(port92_every_size_and_start)
{
    for (size_t s = 0; s < IO_SIZE_COUNT; s++) {
        unsigned size = io_sizes[s];

        for (uint16_t start = 0x8d; start <= 0x94; start++) {
            bool at92 = covers(start, size, 0x92);
            uint32_t reset = value_with_byte_at(start, size, 0x92, 0x03, 0xff);
            uint32_t a20 = value_with_byte_at(start, size, 0x92, 0x02, 0xff);

            CHECK_EQ_U64(fresh_write(start, size, reset),
                         at92 ? RESET_PATH_PORT92 : RESET_PATH_NONE);
            CHECK_EQ_U64(fresh_write(start, size, a20), RESET_PATH_NONE);
        }
    }
}

/* ---- 0xCF9 ------------------------------------------------------------------------ */

TEST(cf9_every_byte)
{
    for (unsigned b = 0; b < 256; b++)
        CHECK_EQ_U64(fresh_write(0xcf9, 1, b), (b & 4) ? RESET_PATH_CF9 : RESET_PATH_NONE);
    CHECK_EQ_U64(fresh_write(0xcf9, 1, 0x02), RESET_PATH_NONE);      /* SYS_RST alone */
    CHECK_EQ_U64(fresh_write(0xcf9, 1, 0x06), RESET_PATH_CF9);
    CHECK_EQ_U64(fresh_write(0xcf9, 1, 0x0e), RESET_PATH_CF9);       /* full reset */
}

TEST(cf9_word_and_dword_starting_there)
{
    CHECK_EQ_U64(fresh_write(0xcf9, 2, 0x0006), RESET_PATH_CF9);
    CHECK_EQ_U64(fresh_write(0xcf9, 2, 0x0400), RESET_PATH_NONE);    /* bit 2 went to 0xCFA */
    CHECK_EQ_U64(fresh_write(0xcf9, 4, 0x00000004u), RESET_PATH_CF9);
    CHECK_EQ_U64(fresh_write(0xcf9, 4, 0x04040400u), RESET_PATH_NONE);
}

TEST(cf8_dword_is_config_address)
{
    /* 0x80000400 selects 0:0.4: its 0xCF9 byte is 0x04 (RST_CPU's bit),
     * yet a DWORD at 0xCF8 is only CONFIG_ADDRESS. */
    CHECK_EQ_U64(fresh_write(0xcf8, 4, 0x80000400u), RESET_PATH_NONE);
    CHECK_EQ_U64(fresh_write(0xcf8, 4, 0xffffffffu), RESET_PATH_NONE);
    CHECK_EQ_U64(fresh_write(0xcf8, 1, 0xff), RESET_PATH_NONE);      /* misses 0xCF9 */
}

TEST(cf8_word_reaches_the_reset_register)
{
    /* PCI 3.0 3.2.2.3.2: a non-DWORD access to 0xCF8 is plain I/O. */
    CHECK_EQ_U64(fresh_write(0xcf8, 2, 0x0400), RESET_PATH_CF9);
    CHECK_EQ_U64(fresh_write(0xcf8, 2, 0x0204), RESET_PATH_NONE);
}

TEST(cf9_covered_from_below)
{
    CHECK_EQ_U64(fresh_write(0xcf6, 4, 0x04000000u), RESET_PATH_CF9);
    CHECK_EQ_U64(fresh_write(0xcf7, 4, 0x00040000u), RESET_PATH_CF9);
    CHECK_EQ_U64(fresh_write(0xcf6, 4, 0x02ffffffu), RESET_PATH_NONE);
    CHECK_EQ_U64(fresh_write(0xcf7, 4, 0xff02ffffu), RESET_PATH_NONE);
    CHECK_EQ_U64(fresh_write(0xcf7, 2, 0xffffu), RESET_PATH_NONE);    /* ends at 0xCF8 */
}

TEST(cf9_every_size_and_start)
{
    for (size_t s = 0; s < IO_SIZE_COUNT; s++) {
        unsigned size = io_sizes[s];

        for (uint16_t start = 0xcf4; start <= 0xcfb; start++) {
            bool at = covers(start, size, 0xcf9) && !(start == 0xcf8 && size == 4);
            uint32_t reset = value_with_byte_at(start, size, 0xcf9, 0x06, 0xfb);
            uint32_t no_rst_cpu = value_with_byte_at(start, size, 0xcf9, 0xfb, 0xff);

            CHECK_EQ_U64(fresh_write(start, size, reset), at ? RESET_PATH_CF9 : RESET_PATH_NONE);
            CHECK_EQ_U64(fresh_write(start, size, no_rst_cpu), RESET_PATH_NONE);
        }
    }
}

/* ---- malformed ------------------------------------------------------------------- */

TEST(reset_invalid_sizes_write_nothing)
{
    static const unsigned bad[] = { 0, 3, 5, 8, 0xffffffffu };

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct kbc_watch kbc = { .output_port_next = true };

        CHECK_EQ_U64(reset_write(&kbc, 0x64, bad[i], 0xfefefefeu), RESET_PATH_NONE);
        CHECK_EQ_U64(reset_write(&kbc, 0x60, bad[i], 0), RESET_PATH_NONE);
        CHECK_EQ_U64(reset_write(&kbc, 0x92, bad[i], 0xffffffffu), RESET_PATH_NONE);
        CHECK_EQ_U64(reset_write(&kbc, 0xcf9, bad[i], 0xffffffffu), RESET_PATH_NONE);
        CHECK(kbc.output_port_next);                 /* untouched */
    }
}

TEST_SUITE(port_guard,
    UNIT(io_byte_every_size_and_start),
    UNIT(io_byte_invalid_sizes_write_nothing),
    UNIT(io_byte_null_byte_pointer),
    UNIT(io_byte_wraps_at_ffff),
    UNIT(pm1_byte_at_cnt_writes_only_the_low_byte),
    UNIT(pm1_byte_at_cnt_plus_one_is_the_sleep_byte),
    UNIT(pm1_dword_two_before_with_sleep_in_upper_half),
    UNIT(pm1_every_size_and_start),
    UNIT(pm1_every_high_byte_value),
    UNIT(pm1_slp_typ_without_slp_en_is_not_a_request),
    UNIT(pm1_far_and_malformed_accesses),
    UNIT(pm1_register_at_ffff_wraps),
    UNIT(reset_path_names),
    UNIT(reset_watched_ports_list),
    UNIT(reset_only_through_watched_ports),
    UNIT(kbc_every_command_byte),
    UNIT(kbc_d1_then_output_port_with_reset_low),
    UNIT(kbc_d1_then_output_port_with_reset_high),
    UNIT(kbc_d1_every_data_byte),
    UNIT(kbc_data_without_d1_is_keyboard_data),
    UNIT(kbc_other_command_cancels_d1),
    UNIT(kbc_d1_twice_still_pending),
    UNIT(kbc_word_at_63_writes_64_with_high_byte),
    UNIT(kbc_dword_at_61_reaches_64),
    UNIT(kbc_every_size_and_start),
    UNIT(kbc_null_state_remembers_nothing),
    UNIT(port92_every_byte),
    UNIT(port92_every_size_and_start),
    UNIT(cf9_every_byte),
    UNIT(cf9_word_and_dword_starting_there),
    UNIT(cf8_dword_is_config_address),
    UNIT(cf8_word_reaches_the_reset_register),
    UNIT(cf9_covered_from_below),
    UNIT(cf9_every_size_and_start),
    UNIT(reset_invalid_sizes_write_nothing)
);
